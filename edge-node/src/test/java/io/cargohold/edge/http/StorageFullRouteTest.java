package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.StorageFullException;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.testkit.TestImages;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blob store on a 32 MiB tmpfs (the test skips when it cannot mount one): a blob that does not
 * fit is {@code 503 UNAVAILABLE} "storage full" at once, and the upstream is not asked for it again
 * while the store still has no room (issue 14, acceptance 6); a manifest that cannot be stored on
 * a full disk is the same {@code 503}.
 */
class StorageFullRouteTest {

    private static final long MOUNT_BYTES = 32L * 1024 * 1024;
    private static final long TOO_LARGE = 48L * 1024 * 1024;
    /** "At once", with a margin for a loaded machine: far less than the 48 MiB download would take. */
    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    private static final Map<String, Handler<HttpServerRequest>> BLOBS = new ConcurrentHashMap<>();
    private static Path mount;
    private static boolean mounted;
    private static Vertx upstreamVertx;
    private static ScriptedUpstream upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        mount = Files.createTempDirectory("storage-full");
        mounted = run("mount", "-t", "tmpfs", "-o", "size=" + MOUNT_BYTES, "tmpfs", mount.toString());
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
        upstreamVertx = Vertx.vertx();
        upstream = ScriptedUpstream.start(upstreamVertx, request -> BLOBS.getOrDefault(request.path(),
                r -> ScriptedUpstream.error(r, 404, "BLOB_UNKNOWN")).handle(request));
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).storeRoot(mount).start();
    }

    @AfterAll
    static void stop() throws IOException, InterruptedException {
        try {
            if (edge != null) {
                edge.close();
            }
            if (upstreamVertx != null) {
                Await.await(upstreamVertx.close());
            }
        } finally {
            if (mounted && !run("umount", mount.toString())) {
                run("umount", "-l", mount.toString());
            }
            Files.deleteIfExists(mount);
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    /** Serves {@code size} bytes as blob {@code digest} of {@code repository}, chunked when not {@code declareLength}. */
    private static String serve(String repository, Digest digest, long size, boolean declareLength) {
        String path = "/v2/" + repository + "/blobs/" + digest;
        BLOBS.put(path, request -> ScriptedUpstream.stream(request, size, declareLength, "application/octet-stream",
                new AtomicLong(), Promise.promise()));
        return path;
    }

    private static Digest someDigest(long seed) {
        byte[] bytes = new byte[32];
        new SplittableRandom(seed).nextBytes(bytes);
        return Digest.sha256(bytes);
    }

    private static void assertStorageFull(RegistryResponse response) {
        assertErrorCodes(response, 503, OciErrorCode.UNAVAILABLE);
        assertThat(errorMessage(response)).startsWith("storage full: ");
    }

    @Test
    void blobGet_contentLengthOverFreeSpace_503AtOnceAndUpstreamNotAskedAgain() {
        Digest digest = someDigest(1);
        String upstreamPath = serve("big", digest, TOO_LARGE, true);

        long started = System.nanoTime();
        RegistryResponse first = edge.get("/v2/up/big/blobs/" + digest);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        RegistryResponse again = edge.get("/v2/up/big/blobs/" + digest);
        RegistryResponse head = edge.head("/v2/up/big/blobs/" + digest);

        assertStorageFull(first);
        assertThat(errorMessage(first)).contains(String.valueOf(TOO_LARGE));
        assertThat(took).isLessThan(AT_ONCE);
        assertStorageFull(again);
        assertStatus(head, 503);
        assertThat(upstream.requests("GET", upstreamPath)).isEqualTo(1);
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @Test
    void blobGet_undeclaredLengthFillsTheDisk_retryIs503WithoutUpstreamGet() {
        Digest digest = someDigest(2);
        String upstreamPath = serve("chunked", digest, TOO_LARGE, false);

        RegistryResponse first;
        try {
            first = edge.get("/v2/up/chunked/blobs/" + digest);
            assertThat(first.status()).as("the first answer, whose body could not be stored").isNotEqualTo(200);
        } catch (RuntimeException cutShort) {
            // headers were sent before the disk filled up: the body is cut short
        }
        edge.awaitFill(digest);
        long started = System.nanoTime();
        RegistryResponse again = edge.get("/v2/up/chunked/blobs/" + digest);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertStorageFull(again);
        assertThat(took).isLessThan(AT_ONCE);
        assertThat(upstream.requests("GET", upstreamPath)).isEqualTo(1);
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @Test
    void manifestGet_diskFull_503StorageFull() throws IOException {
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + TestImages.CONFIG_TYPE + "\",\"digest\":\"" + someDigest(4)
                + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        BLOBS.put("/v2/app/manifests/1", request -> ScriptedUpstream.ok(request, manifest,
                "Content-Type", MediaType.OCI_MANIFEST));
        Path filler = mount.resolve("filler");
        try {
            fillUp(filler);

            RegistryResponse response = edge.get("/v2/up/app/manifests/1", "Accept", MediaType.OCI_MANIFEST);

            assertStorageFull(response);
        } finally {
            Files.deleteIfExists(filler);
        }
    }

    /** Writes {@code file} until the disk is full. */
    private static void fillUp(Path file) throws IOException {
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            assertThat(StorageFullException.isNoSpace(full)).as(full.toString()).isTrue();
        }
    }

    @Test
    void blobGet_fitsInFreeSpace_isServedAndStored() {
        byte[] content = new byte[1024 * 1024];
        new SplittableRandom(3).nextBytes(content);
        Digest digest = Digest.sha256(content);
        BLOBS.put("/v2/small/blobs/" + digest, request -> ScriptedUpstream.ok(request, content));

        RegistryResponse response = edge.get("/v2/up/small/blobs/" + digest);

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(content);
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).contains((long) content.length);
    }
}
