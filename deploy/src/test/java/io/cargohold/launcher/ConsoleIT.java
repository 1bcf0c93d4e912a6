package io.cargohold.launcher;

import io.cargohold.coordinator.console.Console;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web console in headless Chromium (Debian's {@code chromium}): after pulls through a
 * standalone process, the page the browser rendered shows the same numbers as the summary API,
 * and its screenshot is a drawn page rather than a blank one. Skipped where Chromium is not
 * installed; {@code scripts/test.sh} installs it.
 */
class ConsoleIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void console_afterPulls_showsWhatTheSummaryApiSays() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed");
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 81, 300_000, 50_000);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "rules:\n  - { prefix: up, upstreamUrl: '" + upstream.url() + "' }\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                for (String pull : List.of("first", "second")) {
                    Skopeo.copy("docker://" + cache.hostPort() + "/up/library/app:1", "dir:" + dir.resolve(pull),
                            "--src-tls-verify=false");
                }
                String console = "http://127.0.0.1:" + admin;
                JsonObject summary = awaitSummary(console);

                Document page = Jsoup.parse(chromium(List.of("--dump-dom", console + "/")));
                Path screenshot = dir.resolve("console.png");
                chromium(List.of("--screenshot=" + screenshot, "--window-size=1200,1000", console + "/"));

                assertThat(page.body().attr("data-loaded")).isEqualTo("true");
                JsonObject rule = summary.getJsonArray("rules").getJsonObject(0);
                Element ruleRow = page.selectFirst("#rules tr[data-key='up']");
                assertThat(ruleRow).as(page.select("#rules").outerHtml()).isNotNull();
                assertThat(values(ruleRow)).startsWith(String.valueOf(rule.getLong("hits")),
                        String.valueOf(rule.getLong("misses")), String.valueOf(rule.getDouble("hitRatio")));
                JsonObject repository = summary.getJsonArray("repositories").getJsonObject(0);
                assertThat(repository.getString("name")).isEqualTo("up/library/app");
                assertThat(repository.getLong("bytes")).isEqualTo(image.content().length
                        + image.blobs().stream().mapToLong(blob -> blob.size()).sum());
                Element repositoryRow = page.selectFirst("#repositories tr[data-key='up/library/app']");
                assertThat(repositoryRow).isNotNull();
                assertThat(values(repositoryRow)).startsWith("1", String.valueOf(repository.getLong("bytes")),
                        repository.getString("lastPulledAt"));
                assertThat(page.getElementById("bytes-cache").attr("data-value"))
                        .isEqualTo(String.valueOf(summary.getJsonObject("bytes").getLong("cache")));
                assertThat(page.select("#upstreams tr[data-key='" + upstream.hostPort() + "'] td").last().text())
                        .isEqualTo("ok");
                assertThat(page.select("#egress-chart polyline")).hasSize(2);
                assertDrawn(screenshot, 1200);
            }
        }
    }

    /**
     * The summary once it has settled: the pulls' lookups counted, and the same counts again after
     * the node posted its counters once more (it posts every few seconds).
     */
    private static JsonObject awaitSummary(String console) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonObject previous = null;
        while (System.nanoTime() < deadline) {
            JsonObject summary = summary(console);
            JsonObject rule = summary.getJsonArray("rules").getJsonObject(0);
            boolean counted = rule.getLong("hits") > 0 && rule.getLong("misses") > 0;
            if (counted && previous != null && counts(previous).equals(counts(summary))) {
                return summary;
            }
            previous = counted ? summary : null;
            Thread.sleep(NodeStatsBoard.POST_EVERY.toMillis() + 1000);
        }
        throw new AssertionError("the console summary did not settle on the pulls: " + previous);
    }

    private static JsonObject summary(String console) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(console + Console.SUMMARY))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static JsonObject counts(JsonObject summary) {
        return new JsonObject().put("rules", summary.getJsonArray("rules"))
                .put("bytes", summary.getJsonObject("bytes")).put("upstreams", summary.getJsonArray("upstreams"));
    }

    /** The exact values of a row's numeric cells, as the page keeps them in {@code data-value}. */
    private static List<String> values(Element row) {
        return row.select("td[data-value]").stream().map(cell -> cell.attr("data-value")).toList();
    }

    /** Runs headless Chromium on a page, letting its script fetch and render first; answers stdout. */
    private String chromium(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--virtual-time-budget=10000"));
        command.addAll(args);
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish: " + Files.readString(err));
        }
        assertThat(process.exitValue()).as(Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A screenshot of a drawn page has text, tables and a chart: many colours, not a blank. */
    static void assertDrawn(Path screenshot, int width) throws IOException {
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertThat(image).as("screenshot %s", screenshot).isNotNull();
        assertThat(image.getWidth()).isEqualTo(width);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(20);
    }
}
