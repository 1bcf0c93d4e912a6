package io.cargohold.edge.metrics;

import io.cargohold.cache.CacheMetrics;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.MediaType;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters of a pull through a real edge node from a real upstream registry: one pull misses
 * (manifest and every blob fetched upstream), the same pull again hits, and each counter moves by
 * exactly what was served. A second, hand-written upstream sends Docker Hub's RateLimit-Remaining.
 */
class PullMetricsTest {

    private static final String RULE = "up";
    private static final String OCI_ACCEPT = MediaType.OCI_MANIFEST;

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    /** A registry of one manifest that sends Docker Hub's rate-limit headers. */
    private static Vertx limitedVertx;
    private static HttpServer limitedUpstream;
    private static EdgeHarness edge;
    private static TestImages.Image image;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(layout, "app", 41, 10_000, 300_000, 2 * 1024 * 1024);
        upstream.push(image, "library/app:1");
        TestImages.Image limited = TestImages.writeImage(layout, "limited", 42, 1_000);
        limitedVertx = Vertx.vertx();
        limitedUpstream = Await.await(limitedVertx.createHttpServer().requestHandler(request -> {
            if (request.path().equals("/v2/library/limited/manifests/1")) {
                request.response().putHeader("Content-Type", MediaType.OCI_MANIFEST)
                        .putHeader("Docker-Content-Digest", limited.digest().value())
                        .putHeader("RateLimit-Limit", "100;w=21600")
                        .putHeader("RateLimit-Remaining", "76;w=21600")
                        .end(Buffer.buffer(limited.content()));
            } else {
                request.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1"));
        edge = EdgeHarness.builder()
                .rule(EdgeHarness.rule(RULE, upstream.url()))
                .rule(EdgeHarness.rule("limited", "http://127.0.0.1:" + limitedUpstream.actualPort()))
                .start();
    }

    @AfterAll
    static void stop() {
        if (limitedVertx != null) {
            Await.await(limitedVertx.close());
        }
        Await.closeAll(edge, upstream);
    }

    @Test
    void pull_missThenHit_countersMoveByWhatWasServed() {
        MeterRegistry meters = edge.meters();
        String host = upstream.hostPort();
        long blobBytes = image.blobs().stream().mapToLong(Descriptor::size).sum();
        long manifestBytes = image.content().length;
        int blobCount = image.blobs().size();

        Snapshot before = Snapshot.of(meters, host);
        pull();
        Snapshot afterMiss = Snapshot.of(meters, host);
        // A client gets a blob's last bytes once they verify, before the store has committed it:
        // the second pull is all hits once every fill is stored.
        image.blobs().forEach(blob -> edge.awaitFill(blob.digest()));
        pull();
        awaitTrue("every request timed", () -> Snapshot.of(meters, host).blobRequests == 2L * blobCount);
        Snapshot afterHit = Snapshot.of(meters, host);

        assertThat(afterMiss.manifestMisses - before.manifestMisses).isEqualTo(1);
        assertThat(afterMiss.manifestHits - before.manifestHits).isZero();
        assertThat(afterMiss.blobMisses - before.blobMisses).isEqualTo(blobCount);
        assertThat(afterMiss.blobHits - before.blobHits).isZero();
        assertThat(afterHit.manifestHits - afterMiss.manifestHits).isEqualTo(1);
        assertThat(afterHit.manifestMisses - afterMiss.manifestMisses).isZero();
        assertThat(afterHit.blobHits - afterMiss.blobHits).isEqualTo(blobCount);
        assertThat(afterHit.blobMisses - afterMiss.blobMisses).isZero();

        // The first pull's manifest came from the upstream; each blob streamed from its fill, or
        // from the store when the fill was already done: together, every byte once.
        assertThat((afterMiss.cacheBytes + afterMiss.upstreamBytes) - (before.cacheBytes + before.upstreamBytes))
                .isEqualTo(manifestBytes + blobBytes);
        assertThat(afterMiss.upstreamBytes - before.upstreamBytes).isGreaterThanOrEqualTo(manifestBytes);
        assertThat(afterHit.cacheBytes - afterMiss.cacheBytes).isEqualTo(manifestBytes + blobBytes);
        assertThat(afterHit.upstreamBytes - afterMiss.upstreamBytes).isZero();

        assertThat(afterMiss.upstreamManifestGets - before.upstreamManifestGets).isEqualTo(1);
        assertThat(afterMiss.upstreamBlobGets - before.upstreamBlobGets).isEqualTo(blobCount);
        assertThat(afterHit.upstreamManifestGets).isEqualTo(afterMiss.upstreamManifestGets);
        assertThat(afterHit.upstreamBlobGets).isEqualTo(afterMiss.upstreamBlobGets);

        assertThat(afterHit.manifestRequests - before.manifestRequests).isEqualTo(2);
        assertThat(afterHit.blobRequests - before.blobRequests).isEqualTo(2L * blobCount);
        awaitTrue("no fetch left in flight", () -> gauge(meters, CacheMetrics.FETCHES_INFLIGHT) == 0);
    }

    @Test
    void unknownTag_countsUpstream404AndClient404() {
        MeterRegistry meters = edge.meters();
        long upstream404 = timerCount(meters, CacheMetrics.UPSTREAM_REQUESTS, "upstream", upstream.hostPort(),
                "operation", "manifest.get", "status", "404");
        long client404 = timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "manifest", "method", "GET",
                "status", "404");

        assertStatus(edge.get("/v2/" + RULE + "/library/app/manifests/missing", "Accept", OCI_ACCEPT), 404);

        assertThat(timerCount(meters, CacheMetrics.UPSTREAM_REQUESTS, "upstream", upstream.hostPort(),
                "operation", "manifest.get", "status", "404")).isEqualTo(upstream404 + 1);
        awaitTrue("the 404 timed", () -> timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "manifest",
                "method", "GET", "status", "404") == client404 + 1);
    }

    @Test
    void unsupportedMethodAndInvalidName_countedUnderFixedLabels() {
        MeterRegistry meters = edge.meters();
        long other = timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "manifest", "method", "other",
                "status", "405");
        long invalid = timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "invalid", "method", "GET");

        assertStatus(edge.request(HttpMethod.DELETE, "/v2/" + RULE + "/library/app/manifests/1"), 405);
        assertStatus(edge.get("/v2/" + RULE + "/Not_Valid/manifests/1"), 400);

        awaitTrue("both timed", () -> timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "manifest",
                "method", "other", "status", "405") == other + 1
                && timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "invalid", "method", "GET") == invalid + 1);
    }

    @Test
    void upstreamRateLimit_lastRemainingIsAGauge() {
        assertStatus(edge.get("/v2/limited/library/limited/manifests/1", "Accept", OCI_ACCEPT), 200);

        assertThat(gauge(edge.meters(), CacheMetrics.UPSTREAM_RATELIMIT_REMAINING,
                "upstream", "127.0.0.1:" + limitedUpstream.actualPort())).isEqualTo(76);
    }

    private static void pull() {
        assertStatus(edge.get("/v2/" + RULE + "/library/app/manifests/1", "Accept", OCI_ACCEPT), 200);
        for (Descriptor blob : image.blobs()) {
            assertStatus(edge.get("/v2/" + RULE + "/library/app/blobs/" + blob.digest().value()), 200);
        }
    }

    /** The meters this test reads, at one moment. */
    private record Snapshot(long manifestHits, long manifestMisses, long blobHits, long blobMisses,
                            long cacheBytes, long upstreamBytes, long upstreamManifestGets, long upstreamBlobGets,
                            long manifestRequests, long blobRequests) {

        static Snapshot of(MeterRegistry meters, String upstreamHost) {
            return new Snapshot(
                    cacheRequests(meters, "manifest", "hit"), cacheRequests(meters, "manifest", "miss"),
                    cacheRequests(meters, "blob", "hit"), cacheRequests(meters, "blob", "miss"),
                    counter(meters, EdgeMetrics.BYTES_SERVED, "source", "cache"),
                    counter(meters, EdgeMetrics.BYTES_SERVED, "source", "upstream"),
                    timerCount(meters, CacheMetrics.UPSTREAM_REQUESTS, "upstream", upstreamHost,
                            "operation", "manifest.get", "status", "200"),
                    timerCount(meters, CacheMetrics.UPSTREAM_REQUESTS, "upstream", upstreamHost,
                            "operation", "blob.get", "status", "200"),
                    timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "manifest", "method", "GET",
                            "status", "200"),
                    timerCount(meters, EdgeMetrics.HTTP_REQUESTS, "route", "blob", "method", "GET",
                            "status", "200"));
        }

        private static long cacheRequests(MeterRegistry meters, String kind, String result) {
            return counter(meters, CacheMetrics.CACHE_REQUESTS, "rule", RULE, "kind", kind, "result", result);
        }
    }

    private static long counter(MeterRegistry meters, String name, String... tags) {
        Counter counter = meters.find(name).tags(tags).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private static long timerCount(MeterRegistry meters, String name, String... tags) {
        Timer timer = meters.find(name).tags(tags).timer();
        return timer == null ? 0 : timer.count();
    }

    private static double gauge(MeterRegistry meters, String name, String... tags) {
        Gauge gauge = meters.find(name).tags(tags).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    /** Meters move when a response ends on the server, which may be just after the client read it. */
    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + EdgeHarness.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + EdgeHarness.TIMEOUT);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
