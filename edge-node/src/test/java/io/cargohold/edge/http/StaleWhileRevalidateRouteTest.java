package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.spi.TagRecord;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cached tag due for its re-check while the upstream accepts connections and does not answer
 * (well within the edge's upstream time-out of {@link EdgeHarness#TEST_TIMEOUTS}): clients are
 * answered from the cache within the rule's default {@code revalidateTimeout} of 2 s, with a
 * {@code Warning}, and the re-check that goes on in the background updates the tag.
 */
class StaleWhileRevalidateRouteTest {

    private static final Duration REFRESH = Duration.ofMinutes(10);
    private static final long PATIENCE_NANOS = Duration.ofSeconds(3).toNanos();

    /** What the scripted upstream does, by upstream repository; anything else is a 404. */
    private static final Map<String, Handler<HttpServerRequest>> BEHAVIOURS = new ConcurrentHashMap<>();
    private static Vertx upstreamVertx;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstreamVertx = Vertx.vertx();
        ScriptedUpstream upstream = ScriptedUpstream.start(upstreamVertx, StaleWhileRevalidateRouteTest::route);
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url(), REFRESH)).start();
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
        int at = path.lastIndexOf("/manifests/");
        Handler<HttpServerRequest> behaviour = at > 4 ? BEHAVIOURS.get(path.substring("/v2/".length(), at)) : null;
        if (behaviour != null) {
            behaviour.handle(request);
        } else {
            ScriptedUpstream.error(request, 404, "MANIFEST_UNKNOWN");
        }
    }

    private static byte[] manifest(String seed) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(seed.getBytes(
                StandardCharsets.UTF_8)) + "\",\"size\":2},\"layers\":[],\"annotations\":{\"seed\":\"" + seed
                + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static void serve(HttpServerRequest request, byte[] content) {
        ScriptedUpstream.ok(request, content, "Content-Type", MediaType.OCI_MANIFEST,
                "Docker-Content-Digest", Digest.sha256(content).value());
    }

    /** Caches tag 1 of {@code repository} from an answering upstream, then makes it due and the upstream hang. */
    private static byte[] cacheThenHang(String repository) {
        byte[] content = manifest(repository);
        BEHAVIOURS.put(repository, request -> serve(request, content));
        assertStatus(edge.get("/v2/up/" + repository + "/manifests/1"), 200);
        BEHAVIOURS.put(repository, request -> {
            // accepts the request and never answers
        });
        edge.clock().advance(REFRESH.plusSeconds(1));
        return content;
    }

    private static void assertServedStale(RegistryResponse response, byte[] content) {
        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(content);
        assertThat(response.header("Warning")).startsWith("110 ").contains("did not answer within PT2S");
    }

    @Test
    void getManifest_dueTagUpstreamNeverAnswers_cachedWithWarningWithinRevalidateTimeout() {
        byte[] content = cacheThenHang("hung");

        long start = System.nanoTime();
        RegistryResponse first = edge.get("/v2/up/hung/manifests/1");
        long firstNanos = System.nanoTime() - start;
        start = System.nanoTime();
        RegistryResponse meanwhile = edge.get("/v2/up/hung/manifests/1");
        long meanwhileNanos = System.nanoTime() - start;

        assertServedStale(first, content);
        assertThat(firstNanos).as("first pull, nanoseconds").isLessThan(PATIENCE_NANOS);
        assertServedStale(meanwhile, content);
        assertThat(meanwhileNanos).as("a pull while the re-check runs does not wait on it")
                .isLessThan(Duration.ofSeconds(1).toNanos());
        assertThat(edge.upstreamCalls().manifestHeads("hung", Tag.parse("1"))).isEqualTo(1);
    }

    @Test
    void getManifest_dueTagTenConcurrentPullsUpstreamNeverAnswers_allCachedWithWarningWithinRevalidateTimeout() {
        byte[] content = cacheThenHang("hung-many");

        long start = System.nanoTime();
        List<Future<RegistryResponse>> pulls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pulls.add(edge.send(HttpMethod.GET, "/v2/up/hung-many/manifests/1"));
        }
        Await.await(Future.join(pulls));
        long nanos = System.nanoTime() - start;

        for (Future<RegistryResponse> pull : pulls) {
            assertServedStale(pull.result(), content);
        }
        assertThat(nanos).as("ten pulls, nanoseconds").isLessThan(PATIENCE_NANOS);
        assertThat(edge.upstreamCalls().manifestHeads("hung-many", Tag.parse("1"))).isEqualTo(1);
    }

    @Test
    void getManifest_dueTagUpstreamAnswersLate_backgroundRecheckUpdatesTag() {
        byte[] before = cacheThenHang("late");
        byte[] after = manifest("late, moved");
        BEHAVIOURS.put("late", request -> {
            if (request.method() == HttpMethod.HEAD) {
                upstreamVertx.setTimer(3000, id -> serve(request, after));
            } else {
                serve(request, after);
            }
        });

        long start = System.nanoTime();
        RegistryResponse stale = edge.get("/v2/up/late/manifests/1");
        long staleNanos = System.nanoTime() - start;
        String moved = Digest.sha256(after).value();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Optional<TagRecord> tag = Optional.empty();
        while (System.nanoTime() < deadline && !tag.map(found -> found.digest().equals(moved)).orElse(false)) {
            Await.await(Future.future(promise -> edge.vertx().setTimer(100, id -> promise.complete())));
            tag = Await.await(edge.metadata().tag("up/late", "1"));
        }
        RegistryResponse updated = edge.get("/v2/up/late/manifests/1");

        assertServedStale(stale, before);
        assertThat(staleNanos).isLessThan(PATIENCE_NANOS);
        assertThat(tag).as("tag after the background re-check").get()
                .extracting(TagRecord::digest).isEqualTo(moved);
        assertStatus(updated, 200);
        assertThat(updated.bytes()).isEqualTo(after);
        assertThat(updated.headers().contains("Warning")).isFalse();
    }

    @Test
    void getManifest_byDigestUpstreamNeverAnswers_servedWithoutAsking() {
        byte[] content = cacheThenHang("hung-digest");

        long start = System.nanoTime();
        RegistryResponse response = edge.get("/v2/up/hung-digest/manifests/" + Digest.sha256(content));
        long nanos = System.nanoTime() - start;

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(content);
        assertThat(response.headers().contains("Warning")).isFalse();
        assertThat(nanos).isLessThan(Duration.ofSeconds(1).toNanos());
    }
}
