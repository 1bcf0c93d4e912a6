package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance of pinned images (issue 18) on the assembled jar: {@code ctl pins add} has every blob of the image in
 * the cache within seconds; a lifecycle run whose policy would expire it and whose quota would evict it leaves it
 * (and evicts the image beside it), the preview saying {@code pinned}; it is served with the upstream stopped.
 */
class PinsIT {

    /** Keeps only the newest image: the pinned one is the older of two. */
    private static final JsonObject KEEP_NEWEST = new JsonObject("""
            {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
              "countNumber": 1}, "action": {"type": "expire"}}]}""");
    /** Images cached more recently than this are spared by any run; the shortest the config allows. */
    private static final Duration PULL_GRACE = Duration.ofSeconds(61);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void pinsAdd_warmsEveryBlob_survivesExpiryAndQuota_servedWithTheUpstreamStopped() throws Exception {
        TestImages.Image pinned = TestImages.writeImage(dir.resolve("layout"), "pinned", 81, 2_000_000, 4096);
        TestImages.Image newer = TestImages.writeImage(dir.resolve("layout"), "newer", 82, 4096);
        UpstreamRegistry upstream = UpstreamRegistry.anonymous();
        try {
            upstream.push(pinned, "library/app:1");
            upstream.push(newer, "library/app:2");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "lifecycle: { pullGrace: " + PULL_GRACE + " }\n"
                    + "rules:\n  - prefix: up\n    upstreamUrl: " + upstream.url() + "\n    quota: 1KiB\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                String api = "http://127.0.0.1:" + admin + "/api/v1";
                assertThat(call("POST", api + "/templates", new JsonObject().put("prefix", "up")
                        .put("lifecyclePolicy", KEEP_NEWEST)).statusCode()).isEqualTo(201);

                CtlRun added = ctl("http://127.0.0.1:" + admin, "pins", "add", "up/library/app:1");
                assertThat(added.exit()).as(added.err()).isZero();
                JsonObject ready = await(Duration.ofSeconds(20), () -> pin(api),
                        pin -> "ready".equals(pin.getString("state")));
                long total = pinned.blobs().stream().mapToLong(Descriptor::size).sum();
                assertThat(ready.getString("image")).isEqualTo("up/library/app:1");
                assertThat(ready.getLong("bytesDone")).isEqualTo(total);
                assertThat(ready.getString("digest")).isEqualTo(pinned.digest().value());

                Skopeo.copy("docker://" + cache.hostPort() + "/up/library/app:2", "dir:" + dir.resolve("newer"),
                        "--src-tls-verify=false");
                Thread.sleep(PULL_GRACE.plusSeconds(2).toMillis());
                JsonObject preview = new JsonObject(call("POST", api + "/lifecycle/preview",
                        new JsonObject().put("repository", "up/library/app")).body());
                JsonArray kept = preview.getJsonArray("rules").getJsonObject(0).getJsonArray("kept");
                assertThat(kept).hasSize(1);
                assertThat(kept.getJsonObject(0).getString("digest")).isEqualTo(pinned.digest().value());
                assertThat(kept.getJsonObject(0).getString("reason")).isEqualTo("pinned");
                assertThat(call("POST", api + "/lifecycle/run", null).statusCode()).isEqualTo(202);
                String images = await(Duration.ofSeconds(30),
                        () -> call("GET", api + "/repositories/up/library/app/images", null).body(),
                        body -> !body.contains(newer.digest().value()));
                assertThat(images).contains(pinned.digest().value());

                upstream.close();
                Path out = dir.resolve("pulled");
                Skopeo.copy("docker://" + cache.hostPort() + "/up/library/app:1", "dir:" + out,
                        "--src-tls-verify=false");
                assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(pinned.content());
                pinned.blobs().forEach(blob -> assertThat(out.resolve(blob.digest().hex())).exists());
            }
        } finally {
            upstream.close();
        }
    }

    private CtlRun ctl(String url, String... args) throws IOException, InterruptedException {
        return CtlRun.of(dir, url, args);
    }

    private static JsonObject pin(String api) {
        JsonArray pins = new JsonObject(call("GET", api + "/pins", null).body()).getJsonArray("pins");
        return pins.isEmpty() ? new JsonObject() : pins.getJsonObject(0);
    }

    private static <T> T await(Duration limit, Supplier<T> read, Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T value = read.get();
        while (!done.test(value)) {
            assertThat(System.nanoTime()).as("waited %s; last: %s", limit, value).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(200);
            value = read.get();
        }
        return value;
    }

    private static HttpResponse<String> call(String method, String url, JsonObject body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode())).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
