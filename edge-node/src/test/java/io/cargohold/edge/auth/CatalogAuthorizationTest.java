package io.cargohold.edge.auth;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.testkit.Await;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.auth.AuthFixtures.PASSWORD;
import static io.cargohold.edge.auth.AuthFixtures.basic;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.tokenPath;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v2/_catalog} with policies: each caller sees only the repositories it may describe
 * ({@code ecr:DescribeRepositories}) or pull, over more hidden repositories than one request reads, and
 * following the {@code Link} headers still gives exactly those.
 */
class CatalogAuthorizationTest {

    /** More than a request reads, so that the partner's first page stops at the bound. */
    private static final int HIDDEN = 2500;
    private static final String DESCRIBE_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerDescribes", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": "ecr:DescribeRepositories"}]}""";
    private static final String PULL_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPulls", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}""";
    private static final String MANIFEST_ONLY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerManifests", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": "ecr:BatchGetImage"}]}""";
    private static final List<String> PARTNER_SEES = List.of("up/open/a0", "up/open/a1", "up/open/a2",
            "up/pull/x", "up/zz/last");

    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", "http://127.0.0.1:9"))
                .auth(AuthFixtures.auth(false, AuthFixtures.TOKEN_KEY)).start();
        List<Future<Repository>> created = new ArrayList<>();
        for (int i = 0; i < HIDDEN; i++) {
            created.add(create(String.format("hidden/h%04d", i), null));
        }
        for (String name : List.of("open/a0", "open/a1", "open/a2", "zz/last")) {
            created.add(create(name, DESCRIBE_POLICY));
        }
        created.add(create("pull/x", PULL_POLICY));
        created.add(create("pull/manifests-only", MANIFEST_ONLY_POLICY));
        Await.await(Future.all(created));
    }

    private static Future<Repository> create(String name, String policy) {
        return edge.metadata().createRepositoryIfAbsent(new Repository("up/" + name, "up", "http://127.0.0.1:9",
                name, 1, RepositorySettings.DEFAULTS.withRepositoryPolicy(policy)));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge);
    }

    private static String catalogToken(String user) {
        RegistryResponse response = edge.get(tokenPath("registry:catalog:*"), "Authorization", basic(user, PASSWORD));
        assertStatus(response, 200);
        return response.json().getString("token");
    }

    /** Every page from {@code path} on, following the Link headers. */
    private static List<RegistryResponse> pages(String path, String token) {
        List<RegistryResponse> pages = new ArrayList<>();
        String next = path;
        while (next != null) {
            RegistryResponse page = edge.get(next, "Authorization", bearer(token));
            assertStatus(page, 200);
            pages.add(page);
            String link = page.header("Link");
            next = link == null ? null : link.substring(1, link.indexOf('>'));
            assertThat(pages).as("pages so far").hasSizeLessThan(20);
        }
        return pages;
    }

    private static List<String> repositories(RegistryResponse page) {
        return page.json().getJsonArray("repositories").stream().map(String.class::cast).toList();
    }

    @Test
    void getCatalog_partner_onlyTheRepositoriesItMayDescribeOrPull() {
        List<RegistryResponse> pages = pages("/v2/_catalog?n=2", catalogToken("partner"));

        assertThat(pages.stream().flatMap(page -> repositories(page).stream()).toList())
                .containsExactlyElementsOf(PARTNER_SEES);
    }

    @Test
    void getCatalog_partnerPastHiddenRepositories_fullPagesExceptWhereTheReadBoundStops() {
        List<RegistryResponse> pages = pages("/v2/_catalog?n=2", catalogToken("partner"));

        assertThat(repositories(pages.get(0))).as("first page: the bound stopped it among hidden names").isEmpty();
        assertThat(pages.get(0).header("Link")).isEqualTo("</v2/_catalog?n=2&last=up%2Fhidden%2Fh1999>; rel=\"next\"");
        assertThat(repositories(pages.get(1))).containsExactly("up/open/a0", "up/open/a1");
        assertThat(repositories(pages.get(2))).containsExactly("up/open/a2", "up/pull/x");
        assertThat(repositories(pages.get(3))).containsExactly("up/zz/last");
        assertThat(pages).hasSize(4);
    }

    @Test
    void getCatalog_stranger_noRepository() {
        List<RegistryResponse> pages = pages("/v2/_catalog", catalogToken("stranger"));

        assertThat(pages.stream().flatMap(page -> repositories(page).stream()).toList()).isEmpty();
    }

    @Test
    void getCatalog_ownAccount_everyRepository() {
        RegistryResponse page = edge.get("/v2/_catalog?n=3", "Authorization", bearer(catalogToken("owner")));

        assertThat(repositories(page)).containsExactly("up/hidden/h0000", "up/hidden/h0001", "up/hidden/h0002");
        assertThat(page.header("Link")).isEqualTo("</v2/_catalog?n=3&last=up%2Fhidden%2Fh0002>; rel=\"next\"");
    }
}
