package io.cargohold.upstream.http;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.Credentials;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.spi.UpstreamManifest;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.TokenServer;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HttpUpstreamClient against real distribution registries: anonymous, htpasswd and token auth. */
class HttpUpstreamClientTest {

    private static final long MAX = 4 * 1024 * 1024;

    private static Vertx vertx;
    private static HttpClient http;
    private static Path layout;
    private static UpstreamRegistry anonymous;
    private static UpstreamRegistry basic;
    private static UpstreamRegistry token;
    private static TestImages.Image image;
    private static TestImages.Index index;

    @BeforeAll
    static void startRegistries() throws Exception {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(8));
        layout = Files.createTempDirectory("upstream-client-layout");
        image = TestImages.writeImage(layout, "single", 11, 1024, 5 * 1024 * 1024 + 17);
        index = TestImages.writeIndex(layout, "multi", 12, 2048);
        anonymous = UpstreamRegistry.anonymous();
        basic = UpstreamRegistry.basicAuth("alice", "s3cret");
        token = UpstreamRegistry.tokenAuth("bob", "hunter2");
        for (UpstreamRegistry registry : new UpstreamRegistry[]{anonymous, basic, token}) {
            registry.push(image, "library/app:1");
            registry.push(index, "library/multi:1");
        }
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[]{anonymous, basic, token}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void getManifest_byTag_returnsExactBytesTypeAndDigest() throws Exception {
        UpstreamManifest manifest = await(client(anonymous).getManifest("library/app", Tag.parse("1"), MAX));

        assertThat(manifest.content()).isEqualTo(image.content());
        assertThat(manifest.digest()).isEqualTo(image.digest());
        assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(anonymous.requests("GET", "/v2/library/app/manifests/1")).isPositive();
    }

    @Test
    void getManifest_byDigest_returnsExactBytes() throws Exception {
        UpstreamManifest manifest = await(client(anonymous).getManifest("library/app", image.digest(), MAX));

        assertThat(manifest.content()).isEqualTo(image.content());
        assertThat(manifest.digest()).isEqualTo(image.digest());
    }

    @Test
    void getManifest_index_returnsIndexWithItsType() throws Exception {
        UpstreamManifest manifest = await(client(anonymous).getManifest("library/multi", Tag.parse("1"), MAX));

        assertThat(manifest.content()).isEqualTo(index.content());
        assertThat(manifest.digest()).isEqualTo(index.digest());
        assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_INDEX);
        UpstreamManifest arm = await(client(anonymous).getManifest("library/multi",
                index.images().get(1).digest(), MAX));
        assertThat(arm.content()).isEqualTo(index.images().get(1).content());
    }

    @Test
    void headManifest_byTag_returnsDigestTypeAndSize() throws Exception {
        UpstreamManifest.Head head = await(client(anonymous).headManifest("library/app", Tag.parse("1")));

        assertThat(head.digest()).isEqualTo(image.digest());
        assertThat(head.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(head.size()).isEqualTo(image.content().length);
    }

    @Test
    void getBlob_layer_streamsByteExactContent() throws Exception {
        Descriptor layer = image.layers().get(1);

        Streamed streamed = await(client(anonymous).getBlob("library/app", layer.digest())
                .compose(HttpUpstreamClientTest::digest));

        assertThat(streamed.declaredLength()).isEqualTo(layer.size());
        assertThat(streamed.bytes()).isEqualTo(layer.size());
        assertThat(streamed.digest()).isEqualTo(layer.digest());
    }

    @Test
    void getBlob_fromOffset_streamsTheRestOnly() throws Exception {
        Descriptor layer = image.layers().get(1);
        byte[] whole = await(client(anonymous).getBlob("library/app", layer.digest()).compose(HttpUpstreamClientTest::collect));
        long offset = layer.size() / 3;

        BlobContent.Stream rest = await(client(anonymous).getBlob("library/app", layer.digest(), offset));

        assertThat(rest.length()).isEqualTo(layer.size() - offset);
        assertThat(await(collect(rest))).isEqualTo(Arrays.copyOfRange(whole, (int) offset, whole.length));
    }

    /** An upstream that ignores Range answers the whole blob: the bytes before the offset are dropped. */
    @Test
    void getBlob_fromOffsetUpstreamIgnoringRange_dropsTheBytesBefore() throws Exception {
        byte[] content = new byte[300_000];
        new SplittableRandom(5).nextBytes(content);
        Digest digest = Digest.sha256(content);
        try (ScriptedUpstream ignoring = ScriptedUpstream.start(vertx, request -> ScriptedUpstream.ok(request, content))) {
            HttpUpstreamClient client = new HttpUpstreamClient(vertx, http,
                    URI.create("http://127.0.0.1:" + ignoring.server().actualPort()), CredentialsProvider.ANONYMOUS);

            BlobContent.Stream rest = await(client.getBlob("library/app", digest, 100_001));

            assertThat(rest.length()).isEqualTo(content.length - 100_001);
            assertThat(await(collect(rest))).isEqualTo(Arrays.copyOfRange(content, 100_001, content.length));
        }
    }

    @Test
    void getManifest_unknownTag_failsManifestUnknown404() {
        assertUpstreamFailure(client(anonymous).getManifest("library/app", Tag.parse("nope"), MAX),
                OciErrorCode.MANIFEST_UNKNOWN, 404, 404,
                "fetching manifest library/app:nope from " + anonymous.hostPort() + " failed: 404 MANIFEST_UNKNOWN");
    }

    @Test
    void headManifest_unknownTag_failsManifestUnknown404() {
        assertUpstreamFailure(client(anonymous).headManifest("library/app", Tag.parse("nope")),
                OciErrorCode.MANIFEST_UNKNOWN, 404, 404, "404");
    }

    @Test
    void getBlob_unknownDigest_failsBlobUnknown404() {
        Digest unknown = Digest.sha256("no such blob".getBytes());
        assertUpstreamFailure(client(anonymous).getBlob("library/app", unknown), OciErrorCode.BLOB_UNKNOWN, 404, 404,
                "fetching blob library/app@" + unknown + " from " + anonymous.hostPort() + " failed: 404 BLOB_UNKNOWN");
    }

    @Test
    void getManifest_largerThanCap_failsManifestInvalidWithoutReadingIt() {
        assertUpstreamFailure(client(anonymous).getManifest("library/app", Tag.parse("1"), 100),
                OciErrorCode.MANIFEST_INVALID, 502, 200, "larger than the limit of 100 bytes");
    }

    @Test
    void getManifest_basicAuth_succeeds() throws Exception {
        HttpUpstreamClient client = client(basic, credentials("alice", "s3cret"));

        assertThat(await(client.getManifest("library/app", Tag.parse("1"), MAX)).content()).isEqualTo(image.content());
        Streamed blob = await(client.getBlob("library/app", image.config().digest())
                .compose(HttpUpstreamClientTest::digest));
        assertThat(blob.digest()).isEqualTo(image.config().digest());
    }

    @Test
    void getManifest_basicAuthWrongPassword_failsUnavailable502AndInvalidatesCredentials() {
        CountingCredentials wrong = credentials("alice", "wrong");

        assertUpstreamFailure(client(basic, wrong).getManifest("library/app", Tag.parse("1"), MAX),
                OciErrorCode.UNAVAILABLE, 502, 401, "401 UNAUTHORIZED (the upstream rejected the cache's credentials");
        assertThat(wrong.invalidations.get()).isEqualTo(1);
    }

    @Test
    void getManifest_basicAuthWithoutCredentials_failsUnavailable502() {
        assertUpstreamFailure(client(basic).getManifest("library/app", Tag.parse("1"), MAX),
                OciErrorCode.UNAVAILABLE, 502, 401, "none are configured");
    }

    @Test
    void tokenAuth_severalRequestsToOneRepository_tokenRequestedOnce() throws Exception {
        TokenServer tokens = token.tokenServer().orElseThrow();
        HttpUpstreamClient client = client(token, credentials("bob", "hunter2"));
        long before = tokens.requests("repository:library/app:pull");

        assertThat(await(client.getManifest("library/app", Tag.parse("1"), MAX)).digest()).isEqualTo(image.digest());
        assertThat(await(client.headManifest("library/app", image.digest())).digest()).isEqualTo(image.digest());
        for (Descriptor blob : image.blobs()) {
            assertThat(await(client.getBlob("library/app", blob.digest()).compose(HttpUpstreamClientTest::digest))
                    .digest()).isEqualTo(blob.digest());
        }

        assertThat(tokens.requests("repository:library/app:pull") - before).isEqualTo(1);
        assertThat(tokens.requests()).last().satisfies(r -> {
            assertThat(r.service()).isEqualTo(TokenServer.SERVICE);
            assertThat(r.username()).isEqualTo("bob");
        });
    }

    @Test
    void tokenAuth_otherRepository_requestsItsOwnScopeWithoutChallenge() throws Exception {
        TokenServer tokens = token.tokenServer().orElseThrow();
        HttpUpstreamClient client = client(token, credentials("bob", "hunter2"));
        await(client.getManifest("library/app", Tag.parse("1"), MAX));
        long challengesBefore = token.requests("GET", "/v2/library/multi/manifests/1");

        await(client.getManifest("library/multi", Tag.parse("1"), MAX));

        assertThat(tokens.requests("repository:library/multi:pull")).isPositive();
        assertThat(token.accessLog()).filteredOn(e -> e.path().equals("/v2/library/multi/manifests/1"))
                .last().satisfies(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(token.requests("GET", "/v2/library/multi/manifests/1") - challengesBefore).isEqualTo(1);
    }

    @Test
    void tokenAuth_accessTokenField_accepted() throws Exception {
        TokenServer tokens = token.tokenServer().orElseThrow();
        tokens.useAccessTokenField(true);
        try {
            UpstreamManifest manifest = await(client(token, credentials("bob", "hunter2"))
                    .getManifest("library/app", Tag.parse("1"), MAX));
            assertThat(manifest.digest()).isEqualTo(image.digest());
        } finally {
            tokens.useAccessTokenField(false);
        }
    }

    @Test
    void tokenAuth_wrongPassword_failsUnavailable502NamingTokenRequest() {
        CountingCredentials wrong = credentials("bob", "wrong");

        assertUpstreamFailure(client(token, wrong).getManifest("library/app", Tag.parse("1"), MAX),
                OciErrorCode.UNAVAILABLE, 502, 401, "fetching manifest library/app:1 from " + token.hostPort()
                        + " failed: token request to " + token.tokenServer().orElseThrow().realm() + " answered 401");
        assertThat(wrong.invalidations.get()).isPositive();
    }

    @Test
    void getManifest_connectionRefused_failsUnavailable502WithoutStatus() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, URI.create("http://127.0.0.1:" + port),
                CredentialsProvider.ANONYMOUS);

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.UNAVAILABLE, 502, 0,
                "fetching manifest library/app:1 from 127.0.0.1:" + port + " failed: cannot connect");
    }

    // --- helpers shared with UpstreamFailureTest ---

    static <T> T await(Future<T> future) throws Exception {
        return future.await(60, TimeUnit.SECONDS);
    }

    static void assertUpstreamFailure(Future<?> future, OciErrorCode code, int httpStatus, int upstreamStatus,
                                      String messagePart) {
        assertThatThrownBy(() -> await(future))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
                    assertThat(e.httpStatus()).as(e.getMessage()).isEqualTo(httpStatus);
                    assertThat(e.upstreamStatus()).as(e.getMessage()).isEqualTo(upstreamStatus);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    record Streamed(long declaredLength, long bytes, Digest digest) {
    }

    /** Drains a blob stream through a hasher (on the event loop, as a pipe would). */
    static Future<Streamed> digest(BlobContent.Stream blob) {
        MessageDigest hasher = Digest.sha256Hasher();
        long[] bytes = {0};
        Promise<Streamed> promise = Promise.promise();
        blob.stream().exceptionHandler(promise::tryFail);
        blob.stream().handler(buffer -> {
            bytes[0] += buffer.length();
            hasher.update(buffer.getBytes());
        });
        blob.stream().endHandler(v -> promise.tryComplete(new Streamed(blob.length(), bytes[0], Digest.of(hasher))));
        blob.stream().resume();
        return promise.future();
    }

    /** Reads a blob stream whole (small test blobs only). */
    static Future<byte[]> collect(BlobContent.Stream blob) {
        Buffer body = Buffer.buffer();
        Promise<byte[]> promise = Promise.promise();
        blob.stream().exceptionHandler(promise::tryFail);
        blob.stream().handler(body::appendBuffer);
        blob.stream().endHandler(v -> promise.tryComplete(body.getBytes()));
        blob.stream().resume();
        return promise.future();
    }

    static CountingCredentials credentials(String username, String password) {
        return new CountingCredentials(new Credentials(username, password));
    }

    /** A provider that counts how often the client drops its credentials. */
    static final class CountingCredentials implements CredentialsProvider {
        final Credentials credentials;
        final AtomicInteger invalidations = new AtomicInteger();

        CountingCredentials(Credentials credentials) {
            this.credentials = credentials;
        }

        @Override
        public Future<Optional<Credentials>> credentials() {
            return Future.succeededFuture(Optional.of(credentials));
        }

        @Override
        public void invalidate() {
            invalidations.incrementAndGet();
        }
    }

    private static HttpUpstreamClient client(UpstreamRegistry registry) {
        return client(registry, CredentialsProvider.ANONYMOUS);
    }

    private static HttpUpstreamClient client(UpstreamRegistry registry, CredentialsProvider credentials) {
        return new HttpUpstreamClient(vertx, http, URI.create(registry.url()), credentials);
    }
}
