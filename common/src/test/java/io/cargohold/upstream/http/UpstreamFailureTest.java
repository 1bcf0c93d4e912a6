package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.spi.UpstreamManifest;
import io.cargohold.testkit.ScriptedUpstream;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.cargohold.upstream.http.HttpUpstreamClientTest.assertUpstreamFailure;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.await;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.credentials;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers no real registry gives on demand (429, 5xx, silence, redirects to another origin,
 * wrong digests), from small Vert.x servers on 127.0.0.1.
 */
class UpstreamFailureTest {

    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
            + "0".repeat(64) + "\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

    private Vertx vertx;
    private HttpClient http;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void getManifest_upstream429_failsTooManyRequestsAndRecordsRateLimit() throws Exception {
        HttpServer server = serve(request -> request.response().setStatusCode(429)
                .putHeader("RateLimit-Remaining", "0;w=21600")
                .putHeader("Content-Type", "application/json")
                .end("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}"));
        HttpUpstreamClient client = client(server);

        assertUpstreamFailure(client.getManifest("library/nginx", Tag.parse("1.27"), 1 << 20),
                OciErrorCode.TOOMANYREQUESTS, 429, 429,
                "fetching manifest library/nginx:1.27 from 127.0.0.1:" + server.actualPort()
                        + " failed: 429 TOOMANYREQUESTS");
        assertThat(client.rateLimitRemaining()).hasValue(0);
    }

    @Test
    void getManifest_success_recordsRateLimitRemaining() throws Exception {
        HttpServer server = serve(request -> request.response().putHeader("RateLimit-Remaining", "76;w=21600")
                .putHeader("Content-Type", MediaType.OCI_MANIFEST).end(io.vertx.core.buffer.Buffer.buffer(MANIFEST)));
        HttpUpstreamClient client = client(server);
        assertThat(client.rateLimitRemaining()).isEmpty();

        await(client.getManifest("library/nginx", Tag.parse("1"), 1 << 20));

        assertThat(client.rateLimitRemaining()).hasValue(76);
    }

    @Test
    void getBlob_upstream503WithoutBody_failsUnavailable502() {
        HttpServer server = serve(request -> request.response().setStatusCode(503).end());

        assertUpstreamFailure(client(server).getBlob("library/nginx", Digest.sha256(new byte[1])),
                OciErrorCode.UNAVAILABLE, 502, 503, "failed: 503 Service Unavailable");
    }

    @Test
    void getManifest_upstream403_failsUnavailable502SayingCredentials() {
        HttpServer server = serve(request -> request.response().setStatusCode(403)
                .end("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}"));

        assertUpstreamFailure(client(server).getManifest("library/nginx", Tag.parse("1"), 1 << 20),
                OciErrorCode.UNAVAILABLE, 502, 403, "failed: 403 DENIED (the upstream rejected the cache's credentials");
    }

    @Test
    void getManifest_upstreamSilent_failsUnavailable504AfterIdleTimeout() {
        HttpServer server = serve(request -> {
            // never answers
        });
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, url(server), CredentialsProvider.ANONYMOUS,
                new UpstreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300)));

        assertUpstreamFailure(client.getManifest("library/nginx", Tag.parse("1"), 1 << 20),
                OciErrorCode.UNAVAILABLE, 504, 0, "upstream did not answer within PT0.3S");
    }

    @Test
    void getManifest_upstreamStallsMidBody_failsUnavailable504SayingItStalled() {
        HttpServer server = serve(request -> request.response().putHeader("Content-Type", MediaType.OCI_MANIFEST)
                .putHeader("Content-Length", String.valueOf(MANIFEST.length))
                .write(io.vertx.core.buffer.Buffer.buffer(MANIFEST).slice(0, 10)));

        assertUpstreamFailure(client(server, Duration.ofMillis(300)).getManifest("library/nginx", Tag.parse("1"), 1 << 20),
                OciErrorCode.UNAVAILABLE, 504, 0, "upstream stalled mid-body (no byte for PT0.3S after 10 bytes)");
    }

    @Test
    void getBlob_upstreamStallsMidBody_streamFailsUnavailable504SayingItStalled() {
        byte[] content = new byte[100_000];
        HttpServer server = serve(request -> request.response().putHeader("Content-Length", String.valueOf(content.length))
                .write(io.vertx.core.buffer.Buffer.buffer(content).slice(0, 1000)));

        assertUpstreamFailure(client(server, Duration.ofMillis(300)).getBlob("library/nginx", Digest.sha256(content))
                        .compose(HttpUpstreamClientTest::digest),
                OciErrorCode.UNAVAILABLE, 504, 0, "fetching blob library/nginx@");
    }

    @Test
    void getBlob_consumerPausedLongerThanIdleTimeout_notAStall() throws Exception {
        byte[] content = new byte[100_000];
        HttpServer server = serve(request -> ScriptedUpstream.ok(request, content));

        HttpUpstreamClientTest.Streamed streamed = await(client(server, Duration.ofMillis(300))
                .getBlob("library/nginx", Digest.sha256(content))
                .compose(blob -> {
                    Promise<Void> waited = Promise.promise();
                    vertx.setTimer(1000, id -> waited.complete());
                    return waited.future().compose(v -> HttpUpstreamClientTest.digest(blob));
                }));

        assertThat(streamed.digest()).isEqualTo(Digest.sha256(content));
    }

    @Test
    void getManifest_chunkedBodyPastCap_failsWhileReading() {
        HttpServer server = serve(request -> {
            request.response().setChunked(true).putHeader("Content-Type", MediaType.OCI_MANIFEST);
            for (int i = 0; i < 64; i++) {
                request.response().write("{\"padding\":\"" + "x".repeat(1000) + "\"}");
            }
            request.response().end();
        });

        assertUpstreamFailure(client(server).getManifest("library/nginx", Tag.parse("1"), 10_000),
                OciErrorCode.MANIFEST_INVALID, 502, 200, "larger than the limit of 10000 bytes");
    }

    @Test
    void getManifest_byDigestWithOtherContent_failsDigestInvalid() {
        HttpServer server = serve(request -> request.response().putHeader("Content-Type", MediaType.OCI_MANIFEST)
                .end(io.vertx.core.buffer.Buffer.buffer(MANIFEST)));
        Digest requested = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));

        assertUpstreamFailure(client(server).getManifest("library/nginx", requested, 1 << 20),
                OciErrorCode.DIGEST_INVALID, 502, 200, "but " + requested + " was expected");
    }

    @Test
    void getManifest_genericContentType_takesDocumentMediaType() throws Exception {
        HttpServer server = serve(request -> request.response().putHeader("Content-Type", "application/json")
                .end(io.vertx.core.buffer.Buffer.buffer(MANIFEST)));

        UpstreamManifest manifest = await(client(server).getManifest("library/nginx", Tag.parse("1"), 1 << 20));

        assertThat(manifest.mediaType()).isEqualTo(MediaType.OCI_MANIFEST);
        assertThat(manifest.digest()).isEqualTo(Digest.sha256(MANIFEST));
    }

    @Test
    void getBlob_redirectToOtherOrigin_followsWithoutAuthorization() throws Exception {
        byte[] blob = "blob bytes from the CDN".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        List<String> cdnAuthorizations = new CopyOnWriteArrayList<>();
        List<String> registryAuthorizations = new CopyOnWriteArrayList<>();
        HttpServer cdn = serve(request -> {
            cdnAuthorizations.add(String.valueOf(request.getHeader("Authorization")));
            request.response().end(io.vertx.core.buffer.Buffer.buffer(blob));
        });
        HttpServer registry = serve(request -> {
            String authorization = request.getHeader("Authorization");
            registryAuthorizations.add(String.valueOf(authorization));
            if (authorization == null) {
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=\"test\"").end();
            } else {
                request.response().setStatusCode(307)
                        .putHeader("Location", "http://127.0.0.1:" + cdn.actualPort() + "/presigned/blob?sig=abc").end();
            }
        });
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, url(registry), credentials("alice", "pw"));

        HttpUpstreamClientTest.Streamed streamed = await(client.getBlob("library/nginx", digest)
                .compose(HttpUpstreamClientTest::digest));

        assertThat(streamed.digest()).isEqualTo(digest);
        assertThat(registryAuthorizations).containsExactly("null", RegistryAuthenticator.basic(
                new io.cargohold.spi.Credentials("alice", "pw")));
        assertThat(cdnAuthorizations).containsExactly("null");
    }

    @Test
    void getBlob_redirectLoop_failsAfterFiveHops() {
        int[] hits = {0};
        HttpServer server = serve(request -> {
            hits[0]++;
            request.response().setStatusCode(302).putHeader("Location", "/loop/" + hits[0]).end();
        });

        assertUpstreamFailure(client(server).getBlob("library/nginx", Digest.sha256(new byte[2])),
                OciErrorCode.UNAVAILABLE, 502, 302, "more than 5 redirects");
        assertThat(hits[0]).isEqualTo(RegistryEndpointCaller.MAX_REDIRECTS + 1);
    }

    @Test
    void getManifest_expiredTokenRejected_dropsTokenAndRetriesOnce() throws Exception {
        List<String> tokenRequests = new CopyOnWriteArrayList<>();
        int[] registryHits = {0};
        HttpServer tokens = serve(request -> {
            tokenRequests.add(request.getParam("scope"));
            request.response().end("{\"token\":\"t" + tokenRequests.size() + "\"}");
        });
        HttpServer registry = serve(request -> {
            registryHits[0]++;
            // accepts only the second token: the first one "expired" upstream before its expires_in
            if ("Bearer t2".equals(request.getHeader("Authorization"))) {
                request.response().putHeader("Content-Type", MediaType.OCI_MANIFEST)
                        .end(io.vertx.core.buffer.Buffer.buffer(MANIFEST));
            } else {
                request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
                        + tokens.actualPort() + "/token\",service=\"reg\",scope=\"repository:library/nginx:pull\"").end();
            }
        });
        HttpUpstreamClientTest.CountingCredentials creds = credentials("alice", "pw");

        UpstreamManifest manifest = await(new HttpUpstreamClient(vertx, http, url(registry), creds)
                .getManifest("library/nginx", Tag.parse("1"), 1 << 20));

        assertThat(manifest.digest()).isEqualTo(Digest.sha256(MANIFEST));
        assertThat(tokenRequests).containsExactly("repository:library/nginx:pull", "repository:library/nginx:pull");
        assertThat(registryHits[0]).isEqualTo(3);
        assertThat(creds.invalidations.get()).isEqualTo(1);
    }

    private HttpServer serve(Handler<HttpServerRequest> handler) {
        return ScriptedUpstream.start(vertx, handler).server();
    }

    private HttpUpstreamClient client(HttpServer server) {
        return new HttpUpstreamClient(vertx, http, url(server), CredentialsProvider.ANONYMOUS);
    }

    private HttpUpstreamClient client(HttpServer server, Duration idle) {
        return new HttpUpstreamClient(vertx, http, url(server), CredentialsProvider.ANONYMOUS,
                new UpstreamTimeouts(Duration.ofSeconds(2), idle));
    }

    private static URI url(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }
}
