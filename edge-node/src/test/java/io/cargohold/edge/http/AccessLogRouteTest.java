package io.cargohold.edge.http;

import io.cargohold.edge.AccessLogLines;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log: one JSON line per registry API request, with the rule, how the cache answered
 * and the time spent upstream; {@code log.access: false} writes none.
 */
class AccessLogRouteTest {

    private static final String ACCEPT = String.join(", ", MediaType.MANIFESTS);

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static UpstreamRegistry vanishing;
    private static EdgeHarness edge;
    private static TestImages.Image app;
    private static AccessLogLines log;
    private static Vertx silentVertx;
    private static ScriptedUpstream silent;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        vanishing = UpstreamRegistry.anonymous();
        // A layer large enough that its fill still runs when the client's stat is answered.
        app = TestImages.writeImage(layout, "app", 91, 4_000_000);
        for (String repository : new String[] {"library/bytag", "library/blobs", "library/mirrored"}) {
            upstream.push(app, repository + ":1");
        }
        vanishing.push(app, "library/stale:1");
        silentVertx = Vertx.vertx();
        // Takes requests and never answers them.
        silent = ScriptedUpstream.start(silentVertx, request -> { });
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .rule(EdgeHarness.rule("gone", vanishing.url(), Duration.ofMinutes(10)))
                .rule(EdgeHarness.rule("silent", silent.url())).start();
        log = AccessLogLines.capture();
    }

    @AfterAll
    static void stop() {
        if (log != null) {
            log.close();
        }
        Await.closeAll(edge, upstream, vanishing);
        if (silentVertx != null) {
            Await.await(silentVertx.close());
        }
    }

    @Test
    void manifest_fetchedThenCached_missWithUpstreamTimeThenHit() {
        String path = "/v2/up/library/bytag/manifests/1";
        assertStatus(edge.get(path, "Accept", ACCEPT), 200);
        assertStatus(edge.get(path, "Accept", ACCEPT), 200);

        JsonObject miss = log.await("the miss", line -> path.equals(line.getString("path"))
                && "miss".equals(line.getString("cache")));
        assertThat(Instant.parse(miss.getString("time"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(miss.getString("client")).isEqualTo("127.0.0.1");
        assertThat(miss.getString("method")).isEqualTo("GET");
        assertThat(miss.getInteger("status")).isEqualTo(200);
        assertThat(miss.getLong("bytes")).isEqualTo(app.content().length);
        assertThat(miss.getString("rule")).isEqualTo("up");
        assertThat(miss.getDouble("upstreamMs")).isPositive().isLessThanOrEqualTo(miss.getDouble("durationMs"));
        assertThat(miss.containsKey("user")).isFalse();
        assertThat(miss.containsKey("ns")).isFalse();
        assertThat(miss.containsKey("aborted")).isFalse();

        JsonObject hit = log.await("the hit", line -> path.equals(line.getString("path"))
                && "hit".equals(line.getString("cache")));
        assertThat(hit.getString("rule")).isEqualTo("up");
        assertThat(hit.containsKey("upstreamMs")).isFalse();
    }

    @Test
    void blob_fetchedThenCached_missThenHitWithBytesSent() {
        Descriptor layer = app.layers().get(0);
        String path = "/v2/up/library/blobs/blobs/" + layer.digest();
        assertStatus(edge.get(path), 200);
        // The client has every byte once they are verified, which can be before the blob is stored.
        edge.awaitFill(layer.digest());
        assertStatus(edge.get(path), 200);
        assertStatus(edge.head(path), 200);

        JsonObject miss = log.await("the miss", line -> path.equals(line.getString("path"))
                && "miss".equals(line.getString("cache")));
        assertThat(miss.getLong("bytes")).isEqualTo(layer.size());
        assertThat(miss.getDouble("upstreamMs")).isPositive();
        JsonObject hit = log.await("the GET hit", line -> path.equals(line.getString("path"))
                && "hit".equals(line.getString("cache")) && "GET".equals(line.getString("method")));
        assertThat(hit.getLong("bytes")).isEqualTo(layer.size());
        JsonObject head = log.await("the HEAD", line -> path.equals(line.getString("path"))
                && "HEAD".equals(line.getString("method")));
        assertThat(head.getString("cache")).isEqualTo("hit");
        assertThat(head.getLong("bytes")).isZero();
    }

    @Test
    void mirrorRequest_withNs_logsNsAndTheRuleItPicked() {
        String path = "/v2/library/mirrored/manifests/1?ns=" + upstream.hostPort();
        assertStatus(edge.get(path, "Accept", ACCEPT), 200);

        JsonObject line = log.await(path, 200);
        assertThat(line.getString("ns")).isEqualTo(upstream.hostPort());
        assertThat(line.getString("rule")).isEqualTo("up");
        assertThat(line.getString("cache")).isEqualTo("miss");
    }

    @Test
    void manifest_upstreamGoneWhenTheTagIsDue_stale() {
        String path = "/v2/gone/library/stale/manifests/1";
        assertStatus(edge.get(path, "Accept", ACCEPT), 200);
        vanishing.close();
        edge.clock().advance(Duration.ofMinutes(11));

        RegistryResponse stale = edge.get(path, "Accept", ACCEPT);

        assertStatus(stale, 200);
        JsonObject line = log.await("the stale answer", candidate -> path.equals(candidate.getString("path"))
                && "stale".equals(candidate.getString("cache")));
        assertThat(line.getString("rule")).isEqualTo("gone");
        assertThat(line.containsKey("upstreamMs")).isTrue();
    }

    @Test
    void clientDisconnectsWhileTheUpstreamIsAsked_abortedLineWithClientClosedStatus() throws IOException {
        String path = "/v2/silent/library/app/manifests/1";
        try (Socket socket = new Socket("127.0.0.1", edge.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.nanoTime() + EdgeHarness.TIMEOUT.toNanos();
            while (silent.requests("GET", ".*/library/app/manifests/1") == 0) {
                assertThat(System.nanoTime()).as("the upstream asked").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }

        JsonObject line = log.await(path, 499);
        assertThat(line.getBoolean("aborted")).isTrue();
        assertThat(line.getString("rule")).isEqualTo("silent");
        assertThat(line.getLong("bytes")).isZero();
        awaitTimed(edge, "499");
    }

    @Test
    void nameNoRuleServes_404WithoutRuleOrCache() {
        String path = "/v2/nowhere/app/manifests/1?n=\"quoted\"";
        assertErrorCode(edge.get(path), OciErrorCode.NAME_UNKNOWN);

        JsonObject line = log.await(path, 404);
        assertThat(line.containsKey("rule")).isFalse();
        assertThat(line.containsKey("cache")).isFalse();
    }

    @Test
    void presignedStyleQuery_signatureRedacted() {
        String path = "/v2/?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeef&n=1";
        assertStatus(edge.get(path), 200);

        JsonObject line = log.await("the base request with a query", candidate ->
                candidate.getString("path").startsWith("/v2/?X-Amz-Credential"));
        assertThat(line.getString("path")).isEqualTo("/v2/?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&n=1");
    }

    @Test
    void accessLogOff_writesNoLine() {
        try (EdgeHarness quiet = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .accessLog(false).start()) {
            String path = "/v2/up/library/quiet/manifests/1";
            assertErrorCode(quiet.get(path), OciErrorCode.MANIFEST_UNKNOWN);

            // The line would be written before the request is timed, in the same end handler.
            awaitTimed(quiet, "404");
            assertThat(log.lines()).noneMatch(line -> line.contains("/library/quiet/"));
        }
    }

    /** Waits until a manifest request answered with {@code status} was timed. */
    private static void awaitTimed(EdgeHarness harness, String status) {
        long deadline = System.nanoTime() + EdgeHarness.TIMEOUT.toNanos();
        while (harness.meters().find(EdgeMetrics.HTTP_REQUESTS).tags("route", "manifest", "status", status).timers()
                .stream().mapToLong(Timer::count).sum() == 0) {
            assertThat(System.nanoTime()).as("request timed").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
