package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertHeaders;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET|HEAD /v2/<name>/blobs/<digest>} against a real upstream registry: exact bytes and
 * headers, one upstream fetch per blob, single byte ranges (206, 416), and the errors of unknown
 * or malformed digests, bad names and unknown prefixes. Ranges of a blob being filled come from a
 * {@link ScriptedUpstream} that holds the second half of the blob back until the test lets it go.
 */
class BlobRouteTest {

    private static final byte[] HELD_BLOB = new byte[1024 * 1024];
    /** Lets the held upstream send the second half of {@link #HELD_BLOB}. */
    private static final Promise<Void> HELD_REST = Promise.promise();

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    /** Each test that cares whether a blob is cached yet uses a layer of its own. */
    private static TestImages.Image image;
    private static Vertx heldVertx;
    private static ScriptedUpstream held;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(layout, "app", 21, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000,
                3 * 1024 * 1024);
        upstream.push(image, "library/app:1");
        new SplittableRandom(14).nextBytes(HELD_BLOB);
        heldVertx = Vertx.vertx();
        held = ScriptedUpstream.start(heldVertx, BlobRouteTest::holdSecondHalf);
        edge = EdgeHarness.builder()
                .rule(EdgeHarness.rule("up", upstream.url()))
                .rule(EdgeHarness.rule("held", held.url()))
                .start();
    }

    @AfterAll
    static void stop() {
        HELD_REST.tryComplete();
        Await.closeAll(edge, upstream, held);
        if (heldVertx != null) {
            Await.await(heldVertx.close());
        }
    }

    /** Answers a GET of {@link #HELD_BLOB} with its first half at once and the rest once {@link #HELD_REST} completes. */
    private static void holdSecondHalf(HttpServerRequest request) {
        if (!request.path().endsWith("/blobs/" + Digest.sha256(HELD_BLOB))) {
            ScriptedUpstream.error(request, 404, "BLOB_UNKNOWN");
            return;
        }
        Buffer blob = Buffer.buffer(HELD_BLOB);
        int half = HELD_BLOB.length / 2;
        HttpServerResponse response = request.response()
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-Length", String.valueOf(HELD_BLOB.length));
        response.write(blob.slice(0, half));
        HELD_REST.future().onComplete(v -> response.end(blob.slice(half, HELD_BLOB.length)));
    }

    private static String blobs(String name, String digest) {
        return "/v2/" + name + "/blobs/" + digest;
    }

    private static String blob(Descriptor layer) {
        return blobs("up/library/app", layer.digest().value());
    }

    private static byte[] content(Descriptor layer) {
        try {
            return Files.readAllBytes(TestImages.blobPath(layout, layer.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> blobHeaders(Descriptor layer, long length) {
        return Map.of("Docker-Content-Digest", layer.digest().value(),
                "Content-Length", String.valueOf(length),
                "Content-Type", "application/octet-stream",
                "Accept-Ranges", "bytes",
                "Docker-Distribution-API-Version", "registry/2.0");
    }

    @Test
    void getBlob_uncached_exactBytesWithDigestHeaders() {
        Descriptor layer = image.layers().get(0);

        RegistryResponse response = edge.get(blob(layer));

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(content(layer));
        assertHeaders(response, blobHeaders(layer, layer.size()));
    }

    @Test
    void getBlob_large_uncachedThenCached_sameBytesOneUpstreamGet() {
        Descriptor layer = image.layers().get(6);

        RegistryResponse first = edge.get(blob(layer));
        RegistryResponse second = edge.get(blob(layer));

        assertStatus(first, 200);
        assertStatus(second, 200);
        assertThat(Digest.sha256(first.bytes())).isEqualTo(layer.digest());
        assertThat(Digest.sha256(second.bytes())).isEqualTo(layer.digest());
        assertHeaders(second, blobHeaders(layer, layer.size()));
        assertThat(edge.upstreamCalls().blobGets(layer.digest())).isEqualTo(1);
        edge.awaitFill(layer.digest());
        assertThat(Await.await(edge.blobStore().stat(layer.digest()))).hasValue(layer.size());
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @Test
    void headBlob_uncached_sizeAndDigestWithoutBody() {
        Descriptor layer = image.layers().get(1);

        RegistryResponse response = edge.head(blob(layer));

        assertStatus(response, 200);
        assertThat(response.body().length()).isZero();
        assertHeaders(response, blobHeaders(layer, layer.size()));
        // HEAD fills the cache too; the GET after it needs no other upstream request.
        assertThat(edge.get(blob(layer)).bytes()).isEqualTo(content(layer));
        assertThat(edge.upstreamCalls().blobGets(layer.digest())).isEqualTo(1);
    }

    @Test
    void getBlob_rangeOfCachedBlob_206WithContentRange() {
        Descriptor layer = image.layers().get(2);
        byte[] bytes = content(layer);
        assertStatus(edge.get(blob(layer)), 200);

        RegistryResponse response = edge.get(blob(layer), "Range", "bytes=10-99");

        assertStatus(response, 206);
        assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 10, 100));
        assertHeaders(response, Map.of("Content-Range", "bytes 10-99/" + layer.size(), "Content-Length", "90",
                "Docker-Content-Digest", layer.digest().value()));
    }

    @Test
    void getBlob_rangeOfUncachedBlob_206AfterFill() {
        Descriptor layer = image.layers().get(3);
        byte[] bytes = content(layer);

        RegistryResponse response = edge.get(blob(layer), "Range", "bytes=1000-");

        assertStatus(response, 206);
        assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 1000, bytes.length));
        assertHeaders(response, Map.of("Content-Range", "bytes 1000-" + (bytes.length - 1) + "/" + bytes.length));
        assertThat(edge.upstreamCalls().blobGets(layer.digest())).isEqualTo(1);
    }

    @Test
    void getBlob_rangesOfBlobBeingFilled_headersAtOnceAndBytesAsSoonAsSpooled() {
        Digest digest = Digest.sha256(HELD_BLOB);
        String path = blobs("held/library/held", digest.value());
        int size = HELD_BLOB.length;

        // Starts the fill, and is answered while the upstream still holds the second half back.
        RegistryResponse early = edge.get(path, "Range", "bytes=1000-1999");
        // Holds the last byte: its headers come at once, its bytes once the rest is sent and verified.
        Future<Buffer> tailBody = Await.await(edge.client()
                .request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path).putHeader("Range", "bytes=-1000"))
                .compose(request -> request.send())
                .map(response -> {
                    assertThat(response.statusCode()).isEqualTo(206);
                    assertThat(response.getHeader("Content-Range"))
                            .isEqualTo("bytes " + (size - 1000) + "-" + (size - 1) + "/" + size);
                    assertThat(response.getHeader("Content-Length")).isEqualTo("1000");
                    return response.body();
                }));
        assertThat(tailBody.isComplete()).as("the tail before the upstream sent it").isFalse();
        HELD_REST.complete();

        assertStatus(early, 206);
        assertThat(early.bytes()).isEqualTo(Arrays.copyOfRange(HELD_BLOB, 1000, 2000));
        assertHeaders(early, Map.of("Content-Range", "bytes 1000-1999/" + size, "Content-Length", "1000"));
        assertThat(Await.await(tailBody).getBytes()).isEqualTo(Arrays.copyOfRange(HELD_BLOB, size - 1000, size));
        assertThat(held.requests("GET", ".*/blobs/" + digest.value())).isEqualTo(1);
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).hasValue((long) size);
    }

    @Test
    void getBlob_suffixRange_206LastBytes() {
        Descriptor layer = image.layers().get(2);
        byte[] bytes = content(layer);

        RegistryResponse response = edge.get(blob(layer), "Range", "bytes=-500");

        assertStatus(response, 206);
        assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 500, bytes.length));
        assertHeaders(response, Map.of("Content-Range",
                "bytes " + (bytes.length - 500) + "-" + (bytes.length - 1) + "/" + bytes.length));
    }

    @Test
    void getBlob_rangeEndPastSize_206ClampedToEnd() {
        Descriptor layer = image.layers().get(2);
        byte[] bytes = content(layer);

        RegistryResponse response = edge.get(blob(layer), "Range", "bytes=" + (bytes.length - 3) + "-99999999");

        assertStatus(response, 206);
        assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 3, bytes.length));
    }

    @Test
    void headBlob_range_206HeadersWithoutBody() {
        Descriptor layer = image.layers().get(2);

        RegistryResponse response = edge.head(blob(layer), "Range", "bytes=0-0");

        assertStatus(response, 206);
        assertThat(response.body().length()).isZero();
        assertHeaders(response, Map.of("Content-Range", "bytes 0-0/" + layer.size(), "Content-Length", "1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=300000-", "bytes=999999-1000000", "bytes=20-10", "bytes=-0",
            "bytes=99999999999999999999-"})
    void getBlob_unsatisfiableRange_416RangeInvalidWithContentRangeOfSize(String range) {
        Descriptor layer = image.layers().get(2);
        assertThat(layer.size()).isEqualTo(300_000);

        RegistryResponse response = edge.get(blob(layer), "Range", range);

        assertErrorCode(response, OciErrorCode.RANGE_INVALID);
        assertThat(errorMessage(response)).isNotBlank();
        assertHeaders(response, Map.of("Content-Range", "bytes */300000"));
    }

    @Test
    void headBlob_unsatisfiableRange_416WithContentRangeOfSize() {
        Descriptor layer = image.layers().get(2);

        RegistryResponse response = edge.head(blob(layer), "Range", "bytes=300000-");

        assertStatus(response, 416);
        assertHeaders(response, Map.of("Content-Range", "bytes */" + layer.size()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-9,20-29", "items=0-9", "bytes=-"})
    void getBlob_multipleOrForeignRanges_200WholeBlob(String range) {
        Descriptor layer = image.layers().get(4);

        RegistryResponse response = edge.get(blob(layer), "Range", range);

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(content(layer));
        assertThat(response.headers().contains("Content-Range")).isFalse();
    }

    @Test
    void getBlob_unknownDigest_404BlobUnknownAndNothingStored() {
        Digest unknown = Digest.sha256("no such blob".getBytes());

        RegistryResponse response = edge.get(blobs("up/library/app", unknown.value()));

        assertErrorCode(response, OciErrorCode.BLOB_UNKNOWN);
        assertThat(errorMessage(response)).contains(unknown.value()).contains(upstream.hostPort());
        assertThat(Await.await(edge.blobStore().stat(unknown))).isEmpty();
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @Test
    void headBlob_unknownDigest_404WithoutBody() {
        RegistryResponse response = edge.head(blobs("up/library/app", Digest.sha256("no such head".getBytes()).value()));

        assertStatus(response, 404);
        assertThat(response.body().length()).isZero();
    }

    @Test
    void getBlob_blobOfOtherRepositoryUpstream_404BlobUnknown() {
        Descriptor layer = image.layers().get(5);

        RegistryResponse response = edge.get(blobs("up/library/other", layer.digest().value()));

        assertErrorCode(response, OciErrorCode.BLOB_UNKNOWN);
        assertThat(Await.await(edge.blobStore().stat(layer.digest()))).isEmpty();
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "sha256:G0", "sha384:abc", "latest",
            "sha256:..%2F..%2F..%2Fetc%2Fpasswd", "sha256:%2e%2e"})
    void getBlob_malformedDigest_400DigestInvalidWithoutUpstreamCall(String digest) {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        RegistryResponse response = edge.get(blobs("up/library/app", digest));

        assertErrorCode(response, OciErrorCode.DIGEST_INVALID);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/up/library/../../../etc/blobs/sha256:", "/v2/UP/library/app/blobs/sha256:",
            "/v2/up/library/app%2F..%2F../blobs/sha256:", "/v2/up/library/app_/blobs/sha256:"})
    void getBlob_badName_400NameInvalidWithoutUpstreamCall(String prefix) {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        RegistryResponse response = edge.get(prefix + "0".repeat(64));

        assertErrorCode(response, OciErrorCode.NAME_INVALID);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @Test
    void getBlob_pathTraversalInReference_404NoRoute() {
        RegistryResponse response = edge.get("/v2/up/library/app/blobs/../../../../etc/passwd");

        assertErrorCodes(response, 404, OciErrorCode.UNSUPPORTED);
        assertThat(edge.upstreamCalls().snapshot()).noneSatisfy((key, count) -> assertThat(key).contains("passwd"));
    }

    @Test
    void getBlob_unknownPrefix_404NameUnknown() {
        RegistryResponse response = edge.get(blobs("nope/library/app", image.config().digest().value()));

        assertErrorCode(response, OciErrorCode.NAME_UNKNOWN);
        assertThat(edge.upstreamCalls().blobGets(image.config().digest())).isZero();
    }
}
