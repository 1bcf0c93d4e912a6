package io.cargohold.launcher;

import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OCI distribution-spec conformance suite (v1.1.1, pull and content discovery) against the assembled jar in
 * front of a real upstream (CNCF distribution) seeded with what the suite reads, run twice: cold (every answer
 * fetched through the cache) and warm (every answer from the cache). The suite and its seeding script live
 * outside this repository, in {@code ../shared/conformance} from the project's root (its README says how they
 * were built); without them the test is skipped, saying so.
 */
class ConformanceIT {

    private static final Path SUITE = Path.of("..", "..", "shared", "conformance").toAbsolutePath().normalize();
    private static final String REPOSITORY = "conf/img";
    /**
     * "Content Discovery ... (listing references) GET request to missing manifest should yield 200" fails against
     * every registry in pull-only mode: the suite puts its one {@code OCI_MANIFEST_DIGEST} in every manifest slot,
     * then expects the referrers of the "missing manifest" to be one manifest with a digest of its own, which a
     * seeded upstream cannot provide.
     */
    private static boolean isPullOnlyArtifact(String test) {
        return test.contains("listing references") && test.contains("missing manifest");
    }

    @TempDir
    Path dir;

    @Test
    void conformanceSuite_pullAndContentDiscoveryColdThenWarm_noFailureButThePullOnlyArtifact() throws Exception {
        Path binary = SUITE.resolve("conformance.test");
        Path seed = SUITE.resolve("seed-upstream.py");
        String missing = !Files.isDirectory(SUITE) ? SUITE + " is absent"
                : !Files.isExecutable(binary) ? binary + " is absent or not executable"
                : !Files.isRegularFile(seed) ? seed + " is absent" : null;
        if (missing != null) {
            System.out.println("ConformanceIT skipped: " + missing);
        }
        Assumptions.assumeTrue(missing == null, () -> "the OCI conformance suite is not here: " + missing);

        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            Map<String, String> seeded = seed(seed, upstream);
            int port = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, upstream))) {
                for (String run : List.of("cold", "warm")) {
                    List<String> failures = run(binary, run, cache, seeded);
                    assertThat(failures).as("%s run: failing conformance tests; cache log problems:%n%s", run,
                            cache.problems(20)).isEmpty();
                }
            }
        }
    }

    private String config(int port, UpstreamRegistry upstream) {
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                + "rules:\n"
                + "  - prefix: up\n"
                + "    upstreamUrl: " + upstream.url() + "\n";
    }

    /** Seeds the upstream; the suite's variables from the script's {@code export NAME=value} lines. */
    private Map<String, String> seed(Path script, UpstreamRegistry upstream) throws IOException, InterruptedException {
        String output = exec(List.of("python3", script.toString(), upstream.url(), REPOSITORY), dir, Map.of(),
                dir.resolve("seed.log"), 120);
        Map<String, String> variables = new HashMap<>();
        output.lines().filter(line -> line.startsWith("export ")).forEach(line -> {
            String assignment = line.substring("export ".length());
            int equals = assignment.indexOf('=');
            variables.put(assignment.substring(0, equals), assignment.substring(equals + 1));
        });
        assertThat(variables).as("variables printed by the seeding script:%n%s", output)
                .containsKeys("OCI_TAG_NAME", "OCI_MANIFEST_DIGEST", "OCI_BLOB_DIGEST", "OCI_TAG_LIST");
        return variables;
    }

    /** Runs the suite once; the names of its failing tests but the pull-only artifact. */
    private List<String> run(Path binary, String name, CargoholdProcess cache, Map<String, String> seeded)
            throws Exception {
        Path reports = Files.createDirectories(dir.resolve(name));
        Map<String, String> environment = new HashMap<>(seeded);
        environment.putAll(Map.of("OCI_ROOT_URL", "http://" + cache.hostPort(), "OCI_NAMESPACE", "up/" + REPOSITORY,
                "OCI_TEST_PULL", "1", "OCI_TEST_CONTENT_DISCOVERY", "1", "OCI_HIDE_SKIPPED_WORKFLOWS", "1",
                "OCI_DEBUG", "0", "OCI_REPORT_DIR", reports.toString()));
        String output = exec(List.of(binary.toString(), "--ginkgo.no-color"), reports, environment,
                reports.resolve("suite.log"), 300);
        Path junit = reports.resolve("junit.xml");
        assertThat(junit).as("junit.xml of the %s run; the suite said:%n%s", name, output).exists();
        List<String> failures = new ArrayList<>();
        int tests = 0;
        Document report = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
        NodeList cases = report.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            if (testCase.getElementsByTagName("skipped").getLength() > 0) {
                continue;
            }
            tests++;
            String test = testCase.getAttribute("name");
            boolean failed = testCase.getElementsByTagName("failure").getLength() > 0
                    || testCase.getElementsByTagName("error").getLength() > 0;
            if (failed && !isPullOnlyArtifact(test)) {
                failures.add(test + ": " + testCase.getTextContent().strip());
            }
        }
        System.out.println("ConformanceIT " + name + " run: " + tests + " tests, " + failures.size()
                + " failing (besides the pull-only artifact)");
        assertThat(tests).as("tests the %s run ran; the suite said:%n%s", name, output).isPositive();
        return failures;
    }

    /** Runs a command to its end within {@code seconds}, its output (both streams) also kept in {@code log}. */
    private static String exec(List<String> command, Path directory, Map<String, String> environment, Path log,
                               int seconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(String.join(" ", command) + " did not end within " + seconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue() == 0 || command.get(0).endsWith("conformance.test"))
                .as("%s exited with %d:%n%s", command, process.exitValue(), output).isTrue();
        return output;
    }
}
