package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin endpoint on a real port: health, readiness with its reason, and the Prometheus scrape. */
class AdminServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final AtomicReference<String> notReady = new AtomicReference<>("starting");
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Vertx vertx;
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = AdminServer.start(vertx, new CargoholdConfig.Endpoint("127.0.0.1", 0), meters, notReady::get)
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void readyz_notReady_503WithTheReasonOnOneLine() throws Exception {
        notReady.set("storage did not answer:\n  connection refused");

        HttpResponse<String> answer = get("/readyz");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo("storage did not answer: connection refused\n");
    }

    @Test
    void readyz_ready_200() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(503);

        notReady.set(null);

        HttpResponse<String> answer = get("/readyz");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("ready\n");
    }

    @Test
    void readyz_checkThrows_503() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx = Vertx.vertx();
        server = AdminServer.start(vertx, new CargoholdConfig.Endpoint("127.0.0.1", 0), meters, () -> {
            throw new IllegalStateException("member gone");
        }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        HttpResponse<String> answer = get("/readyz");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("member gone");
    }

    @Test
    void healthz_notReady_stillHealthy() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void otherPath_beforeTheRolesMount_503WithTheReason() throws Exception {
        notReady.set("starting: joining the cluster");

        HttpResponse<String> answer = get("/api/v1/rules");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo("starting: joining the cluster\n");
    }

    @Test
    void mount_rolesRoutes_servedAheadOfTheAdminPathsAndOthers404() throws Exception {
        server.mount(router -> router.get("/api/v1/rules").handler(ctx -> ctx.response().end("[]")));
        notReady.set(null);

        assertThat(get("/api/v1/rules").body()).isEqualTo("[]");
        assertThat(get("/healthz").body()).isEqualTo("ok\n");
        HttpResponse<String> unknown = get("/api/v1/nothing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("no such endpoint\n");
    }

    @Test
    void metrics_scrape_prometheusTextWithTheRegistrysMeters() throws Exception {
        Counter.builder("cargohold.test.things").tag("kind", "a").register(meters).increment(3);

        HttpResponse<String> answer = get("/metrics");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
        assertThat(answer.body()).contains("cargohold_test_things_total{kind=\"a\"} 3.0");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
