package io.cargohold.edge.http;

import io.cargohold.config.CacheRule;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertHeaders;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v2/<name>/tags/list} under a rule with {@code tagsList: cached}, and {@code GET /v2/_catalog}:
 * what the cache holds (never what the upstream has but nobody pulled), sorted, with {@code n}/{@code last}
 * pagination and a {@code Link} header to the next page. {@link UpstreamTagsRouteTest} covers the default,
 * the upstream's tags.
 */
class TagsRouteTest {

    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");
    private static final List<String> CACHED_TAGS = List.of("1", "2", "3.0", "latest");

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        TestImages.Image image = TestImages.writeImage(layout, "app", 31, 256);
        for (String tag : CACHED_TAGS) {
            upstream.push(image, "library/app:" + tag);
        }
        upstream.push(image, "library/app:never-pulled");
        upstream.push(image, "library/other:1");
        upstream.push(image, "team/tool:1");
        edge = EdgeHarness.builder().rule(new CacheRule("up", upstream.url(), "", null, null, null, null, null, null,
                CacheRule.TAGS_LIST_CACHED)).start();
        // Pulled in reverse order: the lists must come back sorted all the same.
        for (int i = CACHED_TAGS.size() - 1; i >= 0; i--) {
            assertStatus(edge.get("/v2/up/library/app/manifests/" + CACHED_TAGS.get(i)), 200);
        }
        assertStatus(edge.get("/v2/up/team/tool/manifests/1"), 200);
        assertStatus(edge.get("/v2/up/library/other/manifests/1"), 200);
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String.class::cast).toList();
    }

    /** The target of a {@code Link: <...>; rel="next"} header, or null without one. */
    private static String next(RegistryResponse response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher matcher = NEXT.matcher(link);
        assertThat(matcher.matches()).as("Link header %s", link).isTrue();
        return matcher.group(1);
    }

    @Test
    void getTags_cachedRepository_cachedTagsSortedWithoutLink() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list");

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Content-Type", "application/json",
                "Docker-Distribution-API-Version", "registry/2.0"));
        assertThat(response.json().getString("name")).isEqualTo("up/library/app");
        assertThat(strings(response.json().getJsonArray("tags"))).containsExactlyElementsOf(CACHED_TAGS);
        assertThat(response.headers().contains("Link")).isFalse();
    }

    @Test
    void headTags_cachedRepository_200WithLengthAndNoBody() {
        RegistryResponse get = edge.get("/v2/up/library/app/tags/list");
        RegistryResponse head = edge.head("/v2/up/library/app/tags/list");

        assertStatus(head, 200);
        assertThat(head.body().length()).isZero();
        assertHeaders(head, Map.of("Content-Length", String.valueOf(get.body().length())));
    }

    @Test
    void getTags_pagedByN_followingLinksVisitsEveryTagOnce() {
        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String path = "/v2/up/library/app/tags/list?n=3";
        while (path != null) {
            RegistryResponse response = edge.get(path);
            assertStatus(response, 200);
            List<String> page = strings(response.json().getJsonArray("tags"));
            seen.addAll(page);
            pageSizes.add(page.size());
            path = next(response);
            assertThat(pageSizes).as("pages so far").hasSizeLessThanOrEqualTo(CACHED_TAGS.size());
        }

        assertThat(seen).containsExactlyElementsOf(CACHED_TAGS);
        assertThat(pageSizes).containsExactly(3, 1);
    }

    @Test
    void getTags_firstPage_linkNamesNextPageWithLast() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list?n=2");

        assertStatus(response, 200);
        assertThat(strings(response.json().getJsonArray("tags"))).containsExactly("1", "2");
        assertHeaders(response, Map.of("Link", "</v2/up/library/app/tags/list?n=2&last=2>; rel=\"next\""));
    }

    @Test
    void getTags_lastGiven_tagsAfterIt() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list?last=2");

        assertStatus(response, 200);
        assertThat(strings(response.json().getJsonArray("tags"))).containsExactly("3.0", "latest");
        assertThat(response.headers().contains("Link")).isFalse();
    }

    @Test
    void getTags_lastIsLastTag_emptyPageWithoutLink() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list?n=5&last=latest");

        assertStatus(response, 200);
        assertThat(response.json().getJsonArray("tags")).isEmpty();
        assertThat(response.headers().contains("Link")).isFalse();
    }

    @Test
    void getTags_nZero_emptyPage() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list?n=0");

        assertStatus(response, 200);
        assertThat(response.json().getJsonArray("tags")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1.5", "0x10"})
    void getTags_invalidN_400PaginationNumberInvalid(String n) {
        assertErrorCode(edge.get("/v2/up/library/app/tags/list?n=" + n), OciErrorCode.PAGINATION_NUMBER_INVALID);
    }

    @Test
    void getTags_nAboveAllTags_everyTagWithoutLink() {
        RegistryResponse response = edge.get("/v2/up/library/app/tags/list?n=5000");

        assertStatus(response, 200);
        assertThat(strings(response.json().getJsonArray("tags"))).containsExactlyElementsOf(CACHED_TAGS);
        assertThat(response.headers().contains("Link")).isFalse();
    }

    @Test
    void getTags_repositoryNeverPulled_404NameUnknownWithoutUpstreamCall() {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        assertErrorCode(edge.get("/v2/up/library/uncached/tags/list"), OciErrorCode.NAME_UNKNOWN);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @Test
    void getTags_unknownPrefix_404NameUnknown() {
        assertErrorCode(edge.get("/v2/nowhere/library/app/tags/list"), OciErrorCode.NAME_UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/up/Library/app/tags/list", "/v2/up/library/../../app/tags/list",
            "/v2/up/library/app%2F../tags/list", "/v2//tags/list"})
    void getTags_badName_400NameInvalid(String path) {
        assertErrorCode(edge.get(path), OciErrorCode.NAME_INVALID);
    }

    @Test
    void getCatalog_always_cachedRepositoriesSorted() {
        RegistryResponse response = edge.get("/v2/_catalog");

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Content-Type", "application/json"));
        assertThat(strings(response.json().getJsonArray("repositories")))
                .containsExactly("up/library/app", "up/library/other", "up/team/tool");
        assertThat(response.headers().contains("Link")).isFalse();
    }

    @Test
    void getCatalog_pagedByOne_followingLinksVisitsEveryRepositoryOnce() {
        List<String> seen = new ArrayList<>();
        RegistryResponse first = edge.get("/v2/_catalog?n=1");
        assertHeaders(first, Map.of("Link", "</v2/_catalog?n=1&last=up%2Flibrary%2Fapp>; rel=\"next\""));
        String path = "/v2/_catalog?n=1";
        int pages = 0;
        while (path != null && pages++ < 10) {
            RegistryResponse response = edge.get(path);
            assertStatus(response, 200);
            List<String> page = strings(response.json().getJsonArray("repositories"));
            assertThat(page).hasSize(1);
            seen.addAll(page);
            path = next(response);
        }

        assertThat(seen).containsExactly("up/library/app", "up/library/other", "up/team/tool");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void getCatalog_lastGiven_repositoriesAfterIt() {
        RegistryResponse response = edge.get("/v2/_catalog?last=up/library/app&n=1");

        assertStatus(response, 200);
        assertThat(strings(response.json().getJsonArray("repositories"))).containsExactly("up/library/other");
        assertThat(next(response)).isEqualTo("/v2/_catalog?n=1&last=up%2Flibrary%2Fother");
    }

    @Test
    void getCatalog_atTheBoundaries_pageAndLinkAsTheSpecSays() {
        RegistryResponse none = edge.get("/v2/_catalog?n=0");
        assertStatus(none, 200);
        assertThat(strings(none.json().getJsonArray("repositories"))).isEmpty();
        assertThat(none.headers().contains("Link")).isFalse();

        RegistryResponse exact = edge.get("/v2/_catalog?n=3");
        assertThat(strings(exact.json().getJsonArray("repositories")))
                .containsExactly("up/library/app", "up/library/other", "up/team/tool");
        assertThat(exact.headers().contains("Link")).isFalse();

        RegistryResponse oneShort = edge.get("/v2/_catalog?n=2");
        assertThat(strings(oneShort.json().getJsonArray("repositories")))
                .containsExactly("up/library/app", "up/library/other");
        assertThat(next(oneShort)).isEqualTo("/v2/_catalog?n=2&last=up%2Flibrary%2Fother");

        RegistryResponse pastTheEnd = edge.get("/v2/_catalog?last=up/team/tool&n=5");
        assertThat(strings(pastTheEnd.json().getJsonArray("repositories"))).isEmpty();
        assertThat(pastTheEnd.headers().contains("Link")).isFalse();

        RegistryResponse beforeTheFirst = edge.get("/v2/_catalog?last=a&n=1");
        assertThat(strings(beforeTheFirst.json().getJsonArray("repositories"))).containsExactly("up/library/app");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "x", ""})
    void getCatalog_invalidN_400PaginationNumberInvalid(String n) {
        assertErrorCode(edge.get("/v2/_catalog?n=" + n), OciErrorCode.PAGINATION_NUMBER_INVALID);
    }
}
