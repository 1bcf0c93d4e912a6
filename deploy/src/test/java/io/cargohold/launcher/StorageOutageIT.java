package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.S3ServerProcess;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's storage outages, end to end: the jar on S3 storage with a local tier, the S3 server a
 * child process taken away under it. While S3 refuses connections, and while it accepts them and
 * never answers ({@code SIGSTOP}), the blobs in the local tier and the manifests held in Hazelcast
 * are served (tags re-checked upstream every second, so each GET by tag also tries a metadata
 * write-through that fails); anything else is {@code 503 UNAVAILABLE} naming the storage, within a
 * few seconds. Once S3 is back, everything works again without restarting Cargohold.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorageOutageIT {

    /** The longest an answer may take while storage is out: the storage deadlines plus a loaded machine's margin. */
    private static final Duration PROMPT = Duration.ofSeconds(12);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;

    private static S3ServerProcess s3;
    private static UpstreamRegistry upstream;
    private static CargoholdProcess cache;
    private static TestImages.Image cached;
    /** Pulled first once storage is back, one per outage: until then they are in neither the bucket nor the tier. */
    private static TestImages.Image uncachedWhileStopped;
    private static TestImages.Image uncachedWhileFrozen;

    @BeforeAll
    static void pullThroughWithLocalTier() throws Exception {
        Path layout = dir.resolve("layout");
        cached = TestImages.writeImage(layout, "cached", 61, 600_000, 90_000);
        uncachedWhileStopped = TestImages.writeImage(layout, "stopped", 62, 300_000);
        uncachedWhileFrozen = TestImages.writeImage(layout, "frozen", 63, 200_000);
        s3 = S3ServerProcess.onDisk(Files.createDirectories(dir.resolve("s3")));
        upstream = UpstreamRegistry.anonymous();
        upstream.push(cached, "library/app:1");
        upstream.push(uncachedWhileStopped, "library/stopped:1");
        upstream.push(uncachedWhileFrozen, "library/frozen:1");
        int port = CargoholdProcess.freePort();
        Path tier = dir.resolve("tier");
        String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                + "storage: { type: s3, path: '" + dir.resolve("data") + "', endpoint: '" + s3.endpoint()
                + "', bucket: outage, accessKey: " + S3Server.ACCESS_KEY + ", secretKey: " + S3Server.SECRET_KEY
                + ", localTier: { path: '" + tier + "', maxSize: 64MiB } }\n"
                + "rules: [ { prefix: up, upstreamUrl: '" + upstream.url() + "', refreshInterval: PT1S } ]\n";
        cache = CargoholdProcess.standalone(dir, port, config);
        // The first pull fills the bucket; the tier copies blobs the second reads from the bucket.
        for (String pull : List.of("first", "second")) {
            Skopeo.copy("docker://" + cache.hostPort() + "/up/library/app:1", "dir:" + dir.resolve(pull),
                    "--src-tls-verify=false");
        }
        awaitTiered(tier, cached.blobs());
    }

    @AfterAll
    static void stopAll() {
        for (AutoCloseable part : new AutoCloseable[] {cache, upstream, s3}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception ignored) {
                // the next part still has to stop
            }
        }
    }

    @Test
    @Order(1)
    void registry_s3Stopped_cachedServedOthersUnavailableThenRestored() throws Exception {
        s3.stop();
        try {
            assertCachedServedAndOthersUnavailable(uncachedWhileStopped);
        } finally {
            s3.start();
        }
        assertPulled(cached);
        assertPulled(uncachedWhileStopped);
    }

    @Test
    @Order(2)
    void registry_s3Frozen_cachedServedOthersUnavailableWithoutHangThenRestored() throws Exception {
        s3.freeze();
        try {
            assertCachedServedAndOthersUnavailable(uncachedWhileFrozen);
        } finally {
            s3.thaw();
        }
        assertPulled(cached);
        assertPulled(uncachedWhileFrozen);
    }

    private static void assertCachedServedAndOthersUnavailable(TestImages.Image uncached) throws Exception {
        for (String reference : List.of("1", cached.digest().value())) {
            HttpResponse<byte[]> manifest = get("/v2/up/library/app/manifests/" + reference);
            assertThat(manifest.statusCode()).as("cached manifest %s: %s", reference, problems()).isEqualTo(200);
            assertThat(manifest.body()).isEqualTo(cached.content());
        }
        for (Descriptor blob : cached.blobs()) {
            HttpResponse<byte[]> answer = get("/v2/up/library/app/blobs/" + blob.digest());
            assertThat(answer.statusCode()).as("tiered blob: %s", problems()).isEqualTo(200);
            assertThat(Digest.sha256(answer.body())).isEqualTo(blob.digest());
        }
        String repository = "/v2/up/library/" + uncached.refName();
        assertUnavailable(repository + "/manifests/1");
        assertUnavailable(repository + "/manifests/" + uncached.digest());
        assertUnavailable(repository + "/blobs/" + uncached.layers().get(0).digest());
    }

    private static void assertUnavailable(String path) throws Exception {
        long started = System.nanoTime();
        HttpResponse<byte[]> answer = get(path);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(answer.statusCode()).as("%s: %s", path, problems()).isEqualTo(503);
        JsonObject error = new JsonObject(new String(answer.body())).getJsonArray("errors").getJsonObject(0);
        assertThat(error.getString("code")).isEqualTo("UNAVAILABLE");
        assertThat(error.getString("message")).startsWith("storage unavailable: s3 ");
        assertThat(took).as(path).isLessThan(PROMPT);
    }

    /** Pulls an image whole through the cache; every blob must match its digest. */
    private static void assertPulled(TestImages.Image image) throws Exception {
        String repository = image == cached ? "app" : image.refName();
        Path out = dir.resolve("pulled-" + image.refName() + "-" + System.nanoTime());
        Skopeo.copy("docker://" + cache.hostPort() + "/up/library/" + repository + ":1", "dir:" + out,
                "--src-tls-verify=false");
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
        for (Descriptor blob : image.blobs()) {
            assertThat(PullThroughIT.sha256(out.resolve(blob.digest().hex()))).isEqualTo(blob.digest());
        }
    }

    /** A GET with a bounded wait: a hang fails the test instead of stalling it. */
    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + cache.hostPort() + path))
                .timeout(PROMPT.multipliedBy(2)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String problems() {
        return cache.problems(10);
    }

    /** Waits until the background copies into the local tier have landed: they happen after the pull. */
    private static void awaitTiered(Path tier, List<Descriptor> blobs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!blobs.stream().allMatch(blob -> Files.exists(tier.resolve("blobs").resolve(blob.digest().algorithm())
                .resolve(blob.digest().hex().substring(0, 2)).resolve(blob.digest().hex())))) {
            assertThat(System.nanoTime()).as("blobs copied into the local tier").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
