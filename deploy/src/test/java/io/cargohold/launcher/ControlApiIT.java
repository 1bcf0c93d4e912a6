package io.cargohold.launcher;

import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The assembled jar: a standalone process serves the control API on its admin port, and
 * {@code cargohold ctl} (another run of the same jar) drives it; a rule it creates is pulled
 * through by skopeo without a restart.
 */
class ControlApiIT {

    @TempDir
    Path dir;

    /** One run of {@code java -jar cargohold.jar ctl ...}. */
    private record Run(int exit, String out, String err) {
    }

    @Test
    void ctl_createsRuleOnRunningStandalone_skopeoPullsThroughIt_refusalsExit1() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 71, 4096);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "rules:\n  - prefix: fromfile\n    upstreamUrl: " + upstream.url() + "\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                String url = "http://127.0.0.1:" + admin;

                Run created = ctl(url, "rules", "create", "--prefix", "viactl", "--upstream-url", upstream.url());
                Run listed = ctl(url, "-o", "json", "rules", "list");
                Run refused = ctl(url, "rules", "update", "fromfile", "--refresh-interval", "PT1H");
                Path out = dir.resolve("pulled");
                Skopeo.copy("docker://" + cache.hostPort() + "/viactl/library/app:1", "dir:" + out,
                        "--src-tls-verify=false");
                Run images = ctl(url, "images", "list", "viactl/library/app");

                assertThat(created.exit()).as(created.err()).isZero();
                assertThat(new JsonObject(listed.out()).getJsonArray("rules")).hasSize(2);
                assertThat(refused.exit()).isEqualTo(1);
                assertThat(refused.err().strip()).startsWith("cargohold ctl: 409 rules.prefix: 'fromfile'")
                        .contains("read-only");
                assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
                assertThat(images.out()).contains(image.digest().value());
            }
        }
    }

    private Run ctl(String url, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", CargoholdProcess.JAR.toAbsolutePath().toString(), "ctl", "--url", url));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "ctl", ".out");
        Path stderr = Files.createTempFile(dir, "ctl", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("ctl did not finish: " + command);
        }
        return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
