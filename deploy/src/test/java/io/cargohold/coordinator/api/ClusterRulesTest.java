package io.cargohold.coordinator.api;

import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.spi.TagMutability;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Two members of one cluster: what the API on one changes, the edge on the other follows within seconds. */
class ClusterRulesTest {

    private static UpstreamRegistry upstream;
    private static UpstreamRegistry other;
    private static ControlHarness coordinator;
    private static ControlHarness edge;

    @BeforeAll
    static void start(@TempDir Path dir) {
        upstream = UpstreamRegistry.anonymous();
        upstream.push(TestImages.writeImage(dir.resolve("layout"), "app", 41, 512), "library/app:1");
        other = UpstreamRegistry.anonymous();
        other.push(TestImages.writeImage(dir.resolve("layout"), "elsewhere", 42, 512), "library/elsewhere:1");
        String name = "control-test-" + UUID.randomUUID();
        int first = ControlHarness.freePort();
        int second = ControlHarness.freePort();
        List<String> members = List.of("127.0.0.1:" + first, "127.0.0.1:" + second);
        coordinator = ControlHarness.member(dir.resolve("shared"), name, first, members, List.of());
        edge = ControlHarness.member(dir.resolve("shared"), name, second, members, List.of());
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, coordinator, upstream, other);
    }

    @Test
    void ruleUpdatedInPlaceOnOneMember_otherMembersEdgeFetchesFromTheNewUpstream() {
        coordinator.call("POST", "/rules", new JsonObject().put("prefix", "moved").put("upstreamUrl", upstream.url()));
        assertThat(Eventually.status(() -> edge.registryGet("/v2/moved/library/app/manifests/1").status(), 200))
                .isEqualTo(200);
        assertThat(edge.registryGet("/v2/moved/library/elsewhere/manifests/1").status()).isEqualTo(404);

        coordinator.call("PUT", "/rules/moved", new JsonObject().put("upstreamUrl", other.url()));

        assertThat(Eventually.status(() -> edge.registryGet("/v2/moved/library/elsewhere/manifests/1").status(), 200))
                .isEqualTo(200);
        assertThat(other.requests("GET", "/v2/library/elsewhere/manifests/1")).isPositive();
        assertThat(edge.registryGet("/v2/moved/library/app/manifests/1").status()).as("cached").isEqualTo(200);
    }

    @Test
    void ruleAndTemplateCreatedOnOneMember_usedByTheOthersEdgeWithinSeconds() {
        assertThat(edge.hazelcast().getCluster().getMembers()).hasSize(2);
        assertThat(edge.registryGet("/v2/clu/library/app/manifests/1").status()).isEqualTo(404);

        coordinator.call("POST", "/templates", new JsonObject().put("prefix", "clu").put("tagMutability", "IMMUTABLE"));
        coordinator.call("POST", "/rules", new JsonObject().put("prefix", "clu").put("upstreamUrl", upstream.url()));
        long start = System.nanoTime();
        int status = Eventually.status(() -> edge.registryGet("/v2/clu/library/app/manifests/1").status(), 200);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(status).isEqualTo(200);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(Await.await(edge.metadata().repository("clu/library/app")).orElseThrow().settings()
                .tagMutability()).isEqualTo(TagMutability.IMMUTABLE);

        coordinator.call("DELETE", "/rules/clu", null);
        assertThat(Eventually.status(() -> edge.registryGet("/v2/clu/library/other/manifests/1").status(), 404))
                .isEqualTo(404);
        assertThat(edge.call("GET", "/rules/clu", null).status()).isEqualTo(404);
    }
}
