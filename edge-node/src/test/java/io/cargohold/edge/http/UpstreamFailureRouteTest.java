package io.cargohold.edge.http;

import io.cargohold.cache.ProxyManifestStore;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.upstream.http.UpstreamTimeouts;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes in front of upstreams that misbehave, from a {@link ScriptedUpstream}: digests that
 * lie, bodies cut short, a 300 MB manifest, 429, 5xx, silence, refused connections, and a tag
 * that goes stale while the upstream is down. Each bad fetch gets its error and leaves the cache
 * as it was (no upload left behind, nothing stored or recorded), and a later good fetch works.
 */
class UpstreamFailureRouteTest {

    private static final long MAX_MANIFEST_BYTES = 1024 * 1024;
    private static final long HUGE_MANIFEST_BYTES = 300L * 1024 * 1024;
    private static final Duration REFRESH = Duration.ofMinutes(10);

    /** What the scripted upstream does, by upstream repository; anything else is a 404. */
    private static final Map<String, Handler<HttpServerRequest>> BEHAVIOURS = new ConcurrentHashMap<>();
    private static Vertx upstreamVertx;
    private static ScriptedUpstream upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() throws IOException {
        upstreamVertx = Vertx.vertx();
        upstream = ScriptedUpstream.start(upstreamVertx, UpstreamFailureRouteTest::route);
        edge = EdgeHarness.builder()
                .rule(EdgeHarness.rule("bad", upstream.url(), REFRESH))
                .rule(EdgeHarness.rule("gone", "http://127.0.0.1:" + closedPort(), REFRESH))
                .maxManifestBytes(MAX_MANIFEST_BYTES)
                .timeouts(new UpstreamTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2)))
                .start();
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        if (upstreamVertx != null) {
            Await.await(upstreamVertx.close());
        }
    }

    private static void route(HttpServerRequest request) {
        String path = request.path();
        int at = Math.max(path.lastIndexOf("/manifests/"), path.lastIndexOf("/blobs/"));
        String repository = at > 4 ? path.substring("/v2/".length(), at) : "";
        Handler<HttpServerRequest> behaviour = BEHAVIOURS.get(repository);
        if (behaviour != null) {
            behaviour.handle(request);
        } else {
            ScriptedUpstream.error(request, 404, path.contains("/blobs/") ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN");
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** A valid OCI image manifest, different for each {@code seed}. */
    private static byte[] manifest(String seed) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(seed.getBytes(
                StandardCharsets.UTF_8)) + "\",\"size\":2},\"layers\":[],\"annotations\":{\"seed\":\"" + seed
                + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] blob(long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static Handler<HttpServerRequest> serveManifest(byte[] content, String... headers) {
        return request -> {
            String[] all = new String[headers.length + 2];
            all[0] = "Content-Type";
            all[1] = MediaType.OCI_MANIFEST;
            System.arraycopy(headers, 0, all, 2, headers.length);
            ScriptedUpstream.ok(request, content, all);
        };
    }

    private static Handler<HttpServerRequest> serveBlob(byte[] content) {
        return request -> ScriptedUpstream.ok(request, content, "Content-Type", "application/octet-stream");
    }

    /** Nothing of {@code digest} is stored, and no upload was left behind. */
    private static void assertNothingStored(Digest... digests) {
        for (Digest digest : digests) {
            assertThat(Await.await(edge.blobStore().stat(digest))).as("stored %s", digest).isEmpty();
        }
        assertThat(edge.uploadsLeft()).as("uploads left").isEmpty();
    }

    /** The request fails before a whole answer arrives: a client can tell the content is incomplete. */
    private static void assertNoCompleteAnswer(String path, String... headers) {
        RegistryResponse response = null;
        Throwable failure = null;
        try {
            response = edge.get(path, headers);
        } catch (RuntimeException e) {
            failure = e;
        }
        assertThat(failure).as("the client must not receive a complete answer, got %s", response).isNotNull();
    }

    @Test
    void getManifest_byDigestUpstreamSendsOtherBytes_502DigestInvalidNothingCached() {
        byte[] good = manifest("liar-good");
        byte[] other = manifest("liar-other");
        Digest wanted = Digest.sha256(good);
        BEHAVIOURS.put("liar-digest", serveManifest(other));

        RegistryResponse response = edge.get("/v2/bad/liar-digest/manifests/" + wanted);

        assertErrorCodes(response, 502, OciErrorCode.DIGEST_INVALID);
        assertThat(errorMessage(response)).contains("fetching manifest liar-digest@" + wanted + " from "
                + upstream.hostPort());
        assertThat(Await.await(edge.metadata().manifest("bad/liar-digest", wanted.value()))).isEmpty();
        assertThat(Await.await(edge.metadata().repository("bad/liar-digest"))).isEmpty();
        assertNothingStored(wanted, Digest.sha256(other));

        BEHAVIOURS.put("liar-digest", serveManifest(good));
        RegistryResponse later = edge.get("/v2/bad/liar-digest/manifests/" + wanted);

        assertStatus(later, 200);
        assertThat(later.bytes()).isEqualTo(good);
    }

    @Test
    void getManifest_byTagWithWrongDockerContentDigest_502DigestInvalidTagNotCached() {
        byte[] good = manifest("liar-tag");
        Digest claimed = Digest.sha256(manifest("something else"));
        BEHAVIOURS.put("liar-tag", serveManifest(good, "Docker-Content-Digest", claimed.value()));

        RegistryResponse response = edge.get("/v2/bad/liar-tag/manifests/1");

        assertErrorCodes(response, 502, OciErrorCode.DIGEST_INVALID);
        assertThat(errorMessage(response)).contains("liar-tag:1").contains(claimed.value());
        assertThat(Await.await(edge.metadata().tag("bad/liar-tag", "1"))).isEmpty();
        assertErrorCode(edge.get("/v2/bad/liar-tag/tags/list"), OciErrorCode.NAME_UNKNOWN);
        assertNothingStored(Digest.sha256(good), claimed);

        BEHAVIOURS.put("liar-tag", serveManifest(good, "Docker-Content-Digest", Digest.sha256(good).value()));
        RegistryResponse later = edge.get("/v2/bad/liar-tag/manifests/1");

        assertStatus(later, 200);
        assertThat(later.bytes()).isEqualTo(good);
    }

    @Test
    void getManifest_upstreamDeclares300MB_502ManifestInvalidWithoutReadingIt() {
        assertHugeManifestRefused("huge-declared", true);
    }

    @Test
    void getManifest_upstreamStreams300MBChunked_502ManifestInvalidStopsReadingEarly() {
        assertHugeManifestRefused("huge-chunked", false);
    }

    private static void assertHugeManifestRefused(String repository, boolean declareLength) {
        AtomicLong written = new AtomicLong();
        Promise<Long> done = Promise.promise();
        BEHAVIOURS.put(repository, request -> ScriptedUpstream.stream(request, HUGE_MANIFEST_BYTES, declareLength,
                MediaType.OCI_MANIFEST, written, done));

        RegistryResponse response = edge.get("/v2/bad/" + repository + "/manifests/1");

        assertErrorCodes(response, 502, OciErrorCode.MANIFEST_INVALID);
        assertThat(errorMessage(response)).contains("fetching manifest " + repository + ":1")
                .contains("larger than the limit of " + MAX_MANIFEST_BYTES + " bytes");
        long sent = Await.await(done.future());
        assertThat(sent).as("bytes the upstream got to write before the cache hung up")
                .isLessThan(HUGE_MANIFEST_BYTES / 10);
        assertThat(Await.await(edge.metadata().tag("bad/" + repository, "1"))).isEmpty();
        assertThat(edge.uploadsLeft()).isEmpty();

        byte[] good = manifest(repository);
        BEHAVIOURS.put(repository, serveManifest(good));
        assertThat(edge.get("/v2/bad/" + repository + "/manifests/1").bytes()).isEqualTo(good);
    }

    @Test
    void getManifest_upstreamSendsNonManifest_502ManifestInvalidNothingCached() {
        byte[] html = "<html><body>captive portal</body></html>".getBytes(StandardCharsets.UTF_8);
        BEHAVIOURS.put("not-json", serveManifest(html));

        RegistryResponse response = edge.get("/v2/bad/not-json/manifests/1");

        assertErrorCodes(response, 502, OciErrorCode.MANIFEST_INVALID);
        assertThat(errorMessage(response)).contains("not-json:1").contains(upstream.hostPort());
        assertThat(Await.await(edge.metadata().tag("bad/not-json", "1"))).isEmpty();
        assertNothingStored(Digest.sha256(html));
    }

    @Test
    void getBlob_upstreamSendsOtherBytes_clientGetsNoCompleteAnswerNothingStored() {
        byte[] good = blob(1, 300_000);
        Digest digest = Digest.sha256(good);
        byte[] other = blob(2, 300_000);
        BEHAVIOURS.put("liar-blob", serveBlob(other));

        assertNoCompleteAnswer("/v2/bad/liar-blob/blobs/" + digest);

        assertNothingStored(digest, Digest.sha256(other));
        RegistryEvent event = edge.awaitEvent("upstream-error", e -> e.type().equals(RegistryEvent.UPSTREAM_ERROR)
                && digest.value().equals(e.digest()));
        assertThat(event.repository()).isEqualTo("bad/liar-blob");
        assertThat(event.detail()).contains("fetching blob");
        BEHAVIOURS.put("liar-blob", serveBlob(good));
        RegistryResponse later = edge.get("/v2/bad/liar-blob/blobs/" + digest);
        assertStatus(later, 200);
        assertThat(later.bytes()).isEqualTo(good);
        assertThat(edge.upstreamCalls().blobGets(digest)).isEqualTo(2);
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).hasValue((long) good.length);
    }

    @Test
    void getBlob_upstreamClosesMidBlob_clientGetsNoCompleteAnswerNothingStored() {
        byte[] good = blob(3, 400_000);
        Digest digest = Digest.sha256(good);
        BEHAVIOURS.put("cut-blob", request -> ScriptedUpstream.closeAfter(request, good, 150_000));

        assertNoCompleteAnswer("/v2/bad/cut-blob/blobs/" + digest);

        assertNothingStored(digest);
        BEHAVIOURS.put("cut-blob", serveBlob(good));
        RegistryResponse later = edge.get("/v2/bad/cut-blob/blobs/" + digest);
        assertStatus(later, 200);
        assertThat(later.bytes()).isEqualTo(good);
        edge.awaitFill(digest);
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    @Test
    void getBlob_rangeWhileUpstreamClosesMidBlob_itsBytesOr502NothingStored() {
        byte[] good = blob(4, 200_000);
        Digest digest = Digest.sha256(good);
        BEHAVIOURS.put("cut-range", request -> ScriptedUpstream.closeAfter(request, good, 1000));

        RegistryResponse response = edge.get("/v2/bad/cut-range/blobs/" + digest, "Range", "bytes=0-9");

        // The range follows the fill from its first byte spooled: it has its bytes when they were
        // spooled before the upstream closed, and the fill's error otherwise.
        if (response.status() == 206) {
            assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(good, 0, 10));
        } else {
            assertErrorCodes(response, 502, OciErrorCode.UNAVAILABLE);
            assertThat(errorMessage(response)).contains("fetching blob").contains(upstream.hostPort());
        }
        edge.awaitFill(digest);
        assertNothingStored(digest);
    }

    @Test
    void getManifest_upstream429_429TooManyRequests() {
        BEHAVIOURS.put("limited", request -> ScriptedUpstream.error(request, 429, "TOOMANYREQUESTS"));

        RegistryResponse response = edge.get("/v2/bad/limited/manifests/1");

        assertErrorCode(response, OciErrorCode.TOOMANYREQUESTS);
        assertThat(errorMessage(response)).contains("fetching manifest limited:1 from " + upstream.hostPort())
                .contains("429");
        RegistryEvent event = edge.awaitEvent("upstream-error", e -> e.type().equals(RegistryEvent.UPSTREAM_ERROR)
                && e.repository().equals("bad/limited"));
        assertThat(event.tag()).isEqualTo("1");
        assertThat(event.detail()).isEqualTo(errorMessage(response));
    }

    @Test
    void getBlob_upstream429_429TooManyRequestsNothingStored() {
        Digest digest = Digest.sha256(blob(5, 10));
        BEHAVIOURS.put("limited-blob", request -> ScriptedUpstream.error(request, 429, "TOOMANYREQUESTS"));

        assertErrorCode(edge.get("/v2/bad/limited-blob/blobs/" + digest), OciErrorCode.TOOMANYREQUESTS);
        assertNothingStored(digest);
    }

    @Test
    void getManifest_upstream500NothingCached_502SayingWhatAndWhere() {
        BEHAVIOURS.put("broken", request -> request.response().setStatusCode(500).end("oops"));

        RegistryResponse response = edge.get("/v2/bad/broken/manifests/1");

        assertErrorCodes(response, 502, OciErrorCode.UNAVAILABLE);
        assertThat(errorMessage(response)).isEqualTo("fetching manifest broken:1 from " + upstream.hostPort()
                + " failed: 500 Internal Server Error");
    }

    @Test
    void getManifest_upstreamSilent_504() {
        BEHAVIOURS.put("silent", request -> {
            // never answers
        });

        RegistryResponse response = edge.get("/v2/bad/silent/manifests/1");

        assertErrorCodes(response, 504, OciErrorCode.UNAVAILABLE);
        assertThat(errorMessage(response)).contains("fetching manifest silent:1")
                .contains("upstream did not answer within PT2S");
    }

    @Test
    void getManifest_upstreamStallsMidBody_504SayingItStalled() {
        byte[] content = manifest("stalled");
        BEHAVIOURS.put("stalled", request -> stallAfter(request, content, 100));

        RegistryResponse response = edge.get("/v2/bad/stalled/manifests/1");

        assertErrorCodes(response, 504, OciErrorCode.UNAVAILABLE);
        assertThat(errorMessage(response)).contains("fetching manifest stalled:1")
                .contains("upstream stalled mid-body").contains("PT2S");
        assertThat(Await.await(edge.metadata().tag("bad/stalled", "1"))).isEmpty();
    }

    @Test
    void getBlob_rangesWhileUpstreamStallsMidBlob_bytesSpooledServedRestCutNothingStored() {
        byte[] good = blob(7, 200_000);
        Digest digest = Digest.sha256(good);
        BEHAVIOURS.put("stalled-blob", request -> stallAfter(request, good, 1000));
        String path = "/v2/bad/stalled-blob/blobs/" + digest;

        RegistryResponse spooled = edge.get(path, "Range", "bytes=0-9");

        assertStatus(spooled, 206);
        assertThat(spooled.bytes()).isEqualTo(Arrays.copyOfRange(good, 0, 10));
        // Past what the upstream sent: the 206 headers are out before it stalls, so only a cut
        // connection can tell the client.
        assertNoCompleteAnswer(path, "Range", "bytes=5000-5009");
        RegistryEvent event = edge.awaitEvent("upstream-error", e -> e.type().equals(RegistryEvent.UPSTREAM_ERROR)
                && digest.value().equals(e.digest()));
        assertThat(event.detail()).contains("fetching blob").contains("upstream stalled mid-body");
        edge.awaitFill(digest);
        assertNothingStored(digest);
    }

    /** Declares all of {@code content}, sends its first {@code sent} bytes, then nothing, keeping the connection open. */
    private static void stallAfter(HttpServerRequest request, byte[] content, int sent) {
        request.response().putHeader("Content-Length", String.valueOf(content.length))
                .putHeader("Content-Type", MediaType.OCI_MANIFEST)
                .write(Buffer.buffer(content).slice(0, sent));
    }

    @Test
    void getBlob_upstreamSilent_504NothingStored() {
        Digest digest = Digest.sha256(blob(6, 10));
        BEHAVIOURS.put("silent-blob", request -> {
            // never answers
        });

        RegistryResponse response = edge.get("/v2/bad/silent-blob/blobs/" + digest);

        assertErrorCodes(response, 504, OciErrorCode.UNAVAILABLE);
        assertNothingStored(digest);
    }

    @Test
    void getManifest_upstreamRefusesConnections_502CannotConnect() {
        RegistryResponse response = edge.get("/v2/gone/library/app/manifests/1");

        assertErrorCodes(response, 502, OciErrorCode.UNAVAILABLE);
        assertThat(errorMessage(response)).startsWith("fetching manifest library/app:1 from 127.0.0.1:")
                .contains("cannot connect");
    }

    @Test
    void getManifest_staleTagUpstreamDown_200CachedBytesWithWarning() {
        byte[] content = manifest("flaky");
        BEHAVIOURS.put("flaky", serveManifest(content));
        assertStatus(edge.get("/v2/bad/flaky/manifests/1"), 200);
        BEHAVIOURS.put("flaky", request -> ScriptedUpstream.error(request, 503, "UNAVAILABLE"));

        RegistryResponse fresh = edge.get("/v2/bad/flaky/manifests/1");
        edge.clock().advance(REFRESH.plusSeconds(1));
        RegistryResponse stale = edge.get("/v2/bad/flaky/manifests/1");
        RegistryResponse staleHead = edge.head("/v2/bad/flaky/manifests/1");

        assertThat(fresh.headers().contains("Warning")).as("within the refresh interval").isFalse();
        assertStatus(stale, 200);
        assertThat(stale.bytes()).isEqualTo(content);
        assertThat(stale.header("Warning")).startsWith("110 ").contains("stale").contains("503");
        assertStatus(staleHead, 200);
        assertThat(staleHead.header("Warning")).startsWith("110 ");
        assertThat(edge.upstreamCalls().manifestHeads("flaky", Tag.parse("1"))).as("revalidated").isPositive();
        assertThat(edge.upstreamCalls().manifestGets("flaky", Tag.parse("1"))).isEqualTo(1);
    }

    @Test
    void getManifest_staleTagUpstreamDown_askedAgainOnlyAfterTheBackoff() {
        byte[] content = manifest("outage");
        BEHAVIOURS.put("outage", serveManifest(content));
        assertStatus(edge.get("/v2/bad/outage/manifests/1"), 200);
        BEHAVIOURS.put("outage", request -> ScriptedUpstream.error(request, 503, "UNAVAILABLE"));
        edge.clock().advance(REFRESH.plusSeconds(1));
        Tag tag = Tag.parse("1");

        for (int i = 0; i < 5; i++) {
            RegistryResponse stale = edge.get("/v2/bad/outage/manifests/1");
            assertStatus(stale, 200);
            assertThat(stale.header("Warning")).startsWith("110 ").contains("503");
        }
        assertThat(edge.upstreamCalls().manifestHeads("outage", tag)).as("one check per back-off").isEqualTo(1);

        edge.clock().advance(ProxyManifestStore.OUTAGE_BACKOFF.plusSeconds(1));
        assertThat(edge.get("/v2/bad/outage/manifests/1").header("Warning")).startsWith("110 ");
        assertThat(edge.upstreamCalls().manifestHeads("outage", tag)).isEqualTo(2);

        BEHAVIOURS.put("outage", serveManifest(content, "Docker-Content-Digest", Digest.sha256(content).value()));
        edge.clock().advance(ProxyManifestStore.OUTAGE_BACKOFF.plusSeconds(1));
        RegistryResponse recovered = edge.get("/v2/bad/outage/manifests/1");
        assertStatus(recovered, 200);
        assertThat(recovered.headers().contains("Warning")).isFalse();
        assertThat(edge.get("/v2/bad/outage/manifests/1").headers().contains("Warning")).isFalse();
        assertThat(edge.upstreamCalls().manifestHeads("outage", tag)).isEqualTo(3);
    }

    @Test
    void getManifest_staleTagUpstreamSaysGone_404NotServedStale() {
        byte[] content = manifest("deleted");
        BEHAVIOURS.put("deleted", serveManifest(content));
        assertStatus(edge.get("/v2/bad/deleted/manifests/1"), 200);
        BEHAVIOURS.remove("deleted");
        edge.clock().advance(REFRESH.plusSeconds(1));

        RegistryResponse response = edge.get("/v2/bad/deleted/manifests/1");

        assertErrorCode(response, OciErrorCode.MANIFEST_UNKNOWN);
    }
}
