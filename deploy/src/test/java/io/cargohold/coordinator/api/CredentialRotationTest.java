package io.cargohold.coordinator.api;

import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rule's credentials rotated in place while pulls run: the rule changed through the API first,
 * then the upstream's password; every pull in between and after succeeds.
 */
class CredentialRotationTest {

    private static final int TAGS = 160;
    private static final int PULLERS = 4;

    private static UpstreamRegistry upstream;
    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = UpstreamRegistry.basicAuth("puller", "old-pass");
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 51, 512);
        upstream.push(image, "library/app:0");
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString("puller:old-pass".getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i <= TAGS; i++) {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(
                            URI.create(upstream.url() + "/v2/library/app/manifests/t" + i))
                    .header("Authorization", auth).header("Content-Type", image.mediaType())
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(image.content())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
        node = ControlHarness.standalone(dir.resolve("node"), List.of());
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node, upstream);
    }

    @Test
    void credentialsRotatedInPlace_whilePullsRun_noPullFails() throws Exception {
        assertThat(node.call("POST", "/rules", new JsonObject().put("prefix", "rot").put("upstreamUrl", upstream.url())
                .put("credentials", "puller:old-pass")).status()).isEqualTo(201);
        assertThat(Eventually.status(() -> node.registryGet("/v2/rot/library/app/manifests/0").status(), 200))
                .isEqualTo(200);
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger done = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(PULLERS);
        for (int puller = 0; puller < PULLERS; puller++) {
            new Thread(() -> {
                for (int tag = next.getAndIncrement(); tag <= TAGS; tag = next.getAndIncrement()) {
                    int status = node.registryGet("/v2/rot/library/app/manifests/t" + tag).status();
                    if (status != 200) {
                        failures.put("t" + tag, status);
                    }
                    done.incrementAndGet();
                }
                finished.countDown();
            }, "puller-" + puller).start();
        }

        awaitPulls(done, TAGS / 4);
        assertThat(node.call("PUT", "/rules/rot", new JsonObject().put("credentials", "puller:new-pass")).status())
                .isEqualTo(200);
        int atRuleChange = done.get();
        awaitPulls(done, atRuleChange + TAGS / 4);
        upstream.rotateBasicAuth("puller", "new-pass");
        int atRotation = done.get();
        finished.await();

        assertThat(failures).isEmpty();
        assertThat(atRotation - atRuleChange).as("pulls between the rule change and the rotation").isPositive();
        assertThat(TAGS - atRotation).as("pulls after the rotation").isPositive();
        assertThat(node.registryGet("/v2/rot/library/app/manifests/t1").status()).isEqualTo(200);
        assertThat(upstream.requests("GET", "/v2/library/app/manifests/t" + TAGS)).isPositive();
    }

    private static void awaitPulls(AtomicInteger done, int count) {
        Eventually.value(() -> done.get() >= count ? Boolean.TRUE : null);
    }
}
