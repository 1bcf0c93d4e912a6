package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.spi.Repository;
import io.cargohold.testkit.Await;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v2/_catalog} over more repositories than a page: without {@code n} the answer is one
 * page, never everything cached, and its {@code Link} header leads to the rest.
 */
class CatalogPagingRouteTest {

    private static final int REPOSITORIES = Pagination.MAX_PAGE + 3;

    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", "http://127.0.0.1:9")).start();
        List<Future<Repository>> created = new ArrayList<>();
        for (int i = 0; i < REPOSITORIES; i++) {
            String name = String.format("many/r%04d", i);
            created.add(edge.metadata().createRepositoryIfAbsent(new Repository("up/" + name, "up",
                    "http://127.0.0.1:9", name, 1)));
        }
        Await.await(Future.all(created));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge);
    }

    @Test
    void getCatalog_noN_aPageOfAThousandAndALinkToTheRest() {
        RegistryResponse first = edge.get("/v2/_catalog");
        assertStatus(first, 200);
        List<String> page = strings(first.json().getJsonArray("repositories"));

        assertThat(page).hasSize(Pagination.MAX_PAGE).startsWith("up/many/r0000", "up/many/r0001");
        assertThat(first.header("Link")).isEqualTo("</v2/_catalog?n=1000&last=up%2Fmany%2Fr0999>; rel=\"next\"");

        RegistryResponse rest = edge.get("/v2/_catalog?n=1000&last=up%2Fmany%2Fr0999");
        assertThat(strings(rest.json().getJsonArray("repositories")))
                .containsExactly("up/many/r1000", "up/many/r1001", "up/many/r1002");
        assertThat(rest.headers().contains("Link")).isFalse();
    }

    @Test
    void getCatalog_nAboveTheMaximum_isCappedToAThousand() {
        RegistryResponse response = edge.get("/v2/_catalog?n=5000");

        assertThat(strings(response.json().getJsonArray("repositories"))).hasSize(Pagination.MAX_PAGE);
        assertThat(response.header("Link")).startsWith("</v2/_catalog?n=1000&last=");
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String.class::cast).toList();
    }
}
