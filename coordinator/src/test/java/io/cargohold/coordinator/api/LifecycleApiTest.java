package io.cargohold.coordinator.api;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.lifecycle.LifecyclePreview;
import io.cargohold.pin.PinReader;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The lifecycle routes, mounted as the control API mounts them, on a real HTTP server over real Hazelcast. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleApiTest {

    private static final String KEEP_ONE = """
            {"rules": [{"rulePriority": 1, "description": "Keep the newest image only",
              "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
              "action": {"type": "expire"}}]}""";
    private static final String PREVIEW = "/api/v1/lifecycle/preview";
    private static final String RUN = "/api/v1/lifecycle/run";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger RUN_REQUESTS = new AtomicInteger();
    private static final long DAY = 86_400_000L;

    private static Vertx vertx;
    private static HazelcastInstance hazelcast;
    private static HttpServer server;
    private static String older;
    private static String newer;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        MetadataStore metadata = new HazelcastMetadataStore(vertx, hazelcast);
        long now = System.currentTimeMillis();
        ManifestRecord first = manifest("first", now - 2 * DAY);
        ManifestRecord second = manifest("second", now - DAY);
        older = first.digest();
        newer = second.digest();
        await(metadata.createRepositoryIfAbsent(new Repository("up/app", "up", "http://127.0.0.1:1", "app", now,
                        RepositorySettings.DEFAULTS.withLifecyclePolicy(KEEP_ONE)))
                .compose(v -> metadata.createRepositoryIfAbsent(new Repository("up/none", "up", "http://127.0.0.1:1",
                        "none", now)))
                .compose(v -> metadata.putManifest(first))
                .compose(v -> metadata.putManifest(second))
                .compose(v -> metadata.putTag(new TagRecord("up/app", "1", older, now))));
        Router api = Router.router(vertx);
        api.route().handler(BodyHandler.create());
        new LifecycleApi(new LifecyclePreview(metadata, PinReader.NONE, Clock.systemUTC()), RUN_REQUESTS::incrementAndGet).mount(api);
        api.route().failureHandler(ApiResponses::failure);
        Router root = Router.router(vertx);
        root.route(ControlApi.BASE + "/*").subRouter(api);
        server = await(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        hazelcast.shutdown();
        await(vertx.close());
    }

    @Test
    void preview_repositoryPolicy_listsWhatEachRuleExpiresAndWhy() throws Exception {
        HttpResponse<String> answer = post(PREVIEW, new JsonObject().put("repository", "up/app"));

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonObject rule = new JsonObject(answer.body()).getJsonArray("rules").getJsonObject(0);
        assertThat(rule.getInteger("rulePriority")).isEqualTo(1);
        assertThat(rule.getString("description")).isEqualTo("Keep the newest image only");
        JsonObject expired = rule.getJsonArray("expired").getJsonObject(0);
        assertThat(rule.getJsonArray("expired")).hasSize(1);
        assertThat(expired.getString("digest")).isEqualTo(older);
        assertThat(expired.getJsonArray("tags").getList()).containsExactly("1");
        assertThat(expired.getString("reason")).startsWith("rule 1 (imageCountMoreThan 1): 2nd newest of 2");
        assertThat(new JsonObject(answer.body()).getJsonArray("retained").getList()).containsExactly(newer);
    }

    @Test
    void preview_givenPolicy_isEvaluatedInsteadOfTheRepositorys() throws Exception {
        String keepTwo = KEEP_ONE.replace("\"countNumber\": 1", "\"countNumber\": 2");

        HttpResponse<String> answer = post(PREVIEW,
                new JsonObject().put("repository", "up/app").put("lifecyclePolicy", new JsonObject(keepTwo)));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getJsonArray("rules").getJsonObject(0).getJsonArray("expired"))
                .isEmpty();
    }

    @Test
    void preview_invalidPolicy_is400WithEcrsMessage() throws Exception {
        String invalid = KEEP_ONE.replace("\"any\"", "\"sometimes\"");

        HttpResponse<String> answer = post(PREVIEW,
                new JsonObject().put("repository", "up/app").put("lifecyclePolicy", invalid));

        assertThat(answer.statusCode()).isEqualTo(400);
        JsonObject error = firstError(answer);
        assertThat(error.getString("field")).isEqualTo("lifecyclePolicy.rules[0].selection.tagStatus");
        assertThat(error.getString("message")).startsWith("Invalid parameter at 'LifecyclePolicyText'");
    }

    @Test
    void preview_unknownRepositoryOrNoPolicy_is404() throws Exception {
        HttpResponse<String> unknown = post(PREVIEW, new JsonObject().put("repository", "up/nothing"));
        HttpResponse<String> none = post(PREVIEW, new JsonObject().put("repository", "up/none"));

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(firstError(unknown).getString("message")).isEqualTo("no repository 'up/nothing'");
        assertThat(firstError(unknown).getString("field")).isEqualTo("repository");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(firstError(none).getString("message"))
                .isEqualTo("Lifecycle policy does not exist for the repository with name 'up/none'");
        assertThat(firstError(none).getString("field")).isEqualTo("lifecyclePolicy");
    }

    @Test
    void preview_noRepository_is400NamingTheField() throws Exception {
        HttpResponse<String> answer = post(PREVIEW, new JsonObject().put("lifecyclePolicy", KEEP_ONE));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(firstError(answer).getString("field")).isEqualTo("repository");
    }

    @Test
    void run_requestsARunAndAnswers202() throws Exception {
        int before = RUN_REQUESTS.get();

        HttpResponse<String> answer = post(RUN, new JsonObject());

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(RUN_REQUESTS.get()).isEqualTo(before + 1);
    }

    private static JsonObject firstError(HttpResponse<String> answer) {
        return new JsonObject(answer.body()).getJsonArray("errors").getJsonObject(0);
    }

    private static HttpResponse<String> post(String path, JsonObject body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ManifestRecord manifest(String name, long cachedAt) {
        byte[] content = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(name.getBytes(
                StandardCharsets.UTF_8)) + "\",\"size\":4},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        return new ManifestRecord("up/app", Digest.sha256(content).value(), MediaType.OCI_MANIFEST, content, cachedAt,
                cachedAt);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("waiting failed: " + e, e);
        }
    }
}
