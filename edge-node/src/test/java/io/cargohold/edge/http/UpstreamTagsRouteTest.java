package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertHeaders;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v2/<name>/tags/list} under a rule with the default {@code tagsList: upstream}: the upstream's tags
 * (a real registry's, and a scripted one's that pages with {@code Link}), sorted and paged with
 * {@code n}/{@code last}; listed upstream at most once per refresh interval, however many clients ask at once;
 * and the cached tags, with a {@code Warning}, when the upstream cannot answer.
 */
class UpstreamTagsRouteTest {

    private static final Duration REFRESH = Duration.ofMinutes(10);
    private static final List<String> UPSTREAM_TAGS = List.of("1", "1.1", "2", "latest", "never-pulled");

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static Vertx scriptedVertx;
    private static ScriptedUpstream scripted;
    private static EdgeHarness edge;
    private static volatile boolean scriptedTagsDown;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        TestImages.Image image = TestImages.writeImage(layout, "app", 41, 256);
        for (String tag : List.of("latest", "2", "never-pulled", "1.1", "1")) {
            upstream.push(image, "library/app:" + tag);
        }
        for (String repository : List.of("paced", "burst", "paged")) {
            upstream.push(image, "library/" + repository + ":1");
        }
        scriptedVertx = Vertx.vertx();
        scripted = ScriptedUpstream.start(scriptedVertx, UpstreamTagsRouteTest::scripted);
        edge = EdgeHarness.builder()
                .rule(EdgeHarness.rule("up", upstream.url(), REFRESH))
                .rule(EdgeHarness.rule("sc", scripted.url(), REFRESH))
                .start();
        assertStatus(edge.get("/v2/up/library/app/manifests/1"), 200);
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream, scripted);
        if (scriptedVertx != null) {
            Await.await(scriptedVertx.close());
        }
    }

    /**
     * {@code lib/pages}: three tags over two pages linked by {@code Link}; {@code lib/cached}: a manifest, and a
     * tag list that fails while {@link #scriptedTagsDown}.
     */
    private static void scripted(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/v2/lib/pages/tags/list")) {
            if (request.getParam("last") == null) {
                request.response().putHeader("Link", "</v2/lib/pages/tags/list?n=2&last=b>; rel=\"next\"");
                ScriptedUpstream.ok(request, "{\"name\":\"lib/pages\",\"tags\":[\"b\",\"a\"]}".getBytes(
                        StandardCharsets.UTF_8), "Content-Type", "application/json");
            } else {
                ScriptedUpstream.ok(request, "{\"name\":\"lib/pages\",\"tags\":[\"c\"]}".getBytes(
                        StandardCharsets.UTF_8), "Content-Type", "application/json");
            }
        } else if (path.equals("/v2/lib/cached/tags/list") && scriptedTagsDown) {
            ScriptedUpstream.error(request, 503, "UNAVAILABLE");
        } else if (path.equals("/v2/lib/cached/manifests/1")) {
            ScriptedUpstream.ok(request, manifest(), "Content-Type", MediaType.OCI_MANIFEST);
        } else {
            ScriptedUpstream.error(request, 404, "NAME_UNKNOWN");
        }
    }

    private static byte[] manifest() {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(new byte[] {1})
                + "\",\"size\":1},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> tags(RegistryResponse response) {
        assertStatus(response, 200);
        return response.json().getJsonArray("tags").stream().map(String.class::cast).toList();
    }

    @Test
    void getTags_upstreamMode_everyUpstreamTagSortedIncludingNeverPulled() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list");

        assertThat(tags(response)).containsExactlyElementsOf(UPSTREAM_TAGS);
        assertThat(response.json().getString("name")).isEqualTo("up/library/app");
        assertThat(response.headers().contains("Link")).isFalse();
        assertThat(response.headers().contains("Warning")).isFalse();
    }

    @Test
    void getTags_upstreamModePagedByN_linksWithLastAsTheSpecSays() {
        RegistryResponse first = edge.get("/v2/up/library/app/tags/list?n=2");
        assertThat(tags(first)).containsExactly("1", "1.1");
        assertHeaders(first, Map.of("Link", "</v2/up/library/app/tags/list?n=2&last=1.1>; rel=\"next\""));

        RegistryResponse second = edge.get("/v2/up/library/app/tags/list?n=2&last=1.1");
        assertThat(tags(second)).containsExactly("2", "latest");

        RegistryResponse third = edge.get("/v2/up/library/app/tags/list?n=2&last=latest");
        assertThat(tags(third)).containsExactly("never-pulled");
        assertThat(third.headers().contains("Link")).isFalse();

        assertThat(tags(edge.get("/v2/up/library/app/tags/list?last=a-not-a-tag"))).containsExactly("latest",
                "never-pulled");
    }

    @Test
    void getTags_repeatedWithinTheRefreshInterval_oneUpstreamListingThenAnotherAfterIt() {
        for (int i = 0; i < 3; i++) {
            assertThat(tags(edge.get("/v2/up/library/paced/tags/list"))).containsExactly("1");
        }
        assertThat(edge.upstreamCalls().tagLists("library/paced")).isEqualTo(1);

        edge.clock().advance(REFRESH.plusSeconds(1));
        assertThat(tags(edge.get("/v2/up/library/paced/tags/list"))).containsExactly("1");

        assertThat(edge.upstreamCalls().tagLists("library/paced")).isEqualTo(2);
    }

    @Test
    void getTags_tenClientsAtOnce_oneUpstreamListing() {
        List<Future<RegistryResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(edge.send(HttpMethod.GET, "/v2/up/library/burst/tags/list"));
        }
        Await.await(Future.all(answers));

        answers.forEach(answer -> assertThat(tags(answer.result())).containsExactly("1"));
        assertThat(edge.upstreamCalls().tagLists("library/burst")).isEqualTo(1);
    }

    @Test
    void getTags_upstreamPagesWithLink_everyPageFollowed() {
        assertThat(tags(edge.get("/v2/sc/lib/pages/tags/list"))).containsExactly("a", "b", "c");
        assertThat(scripted.requests("GET", "/v2/lib/pages/tags/list")).isEqualTo(2);
    }

    @Test
    void getTags_upstreamDownRepositoryCached_cachedTagsWithWarning() {
        assertStatus(edge.get("/v2/sc/lib/cached/manifests/1"), 200);
        scriptedTagsDown = true;

        RegistryResponse response = edge.get("/v2/sc/lib/cached/tags/list");

        assertThat(tags(response)).containsExactly("1");
        assertThat(response.header("Warning")).startsWith("110 cargohold \"Response is stale: only cached tags")
                .contains("listing tags of lib/cached from " + scripted.hostPort()).contains("503");
    }

    @Test
    void getTags_upstreamDoesNotKnowAnUncachedRepository_404NameUnknown() {
        RegistryResponse response = edge.get("/v2/up/library/nowhere/tags/list");

        assertErrorCodes(response, 404, OciErrorCode.NAME_UNKNOWN);
        assertThat(errorMessage(response)).contains("listing tags of library/nowhere");
    }
}
