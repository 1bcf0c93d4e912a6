package io.cargohold.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.cargohold.config.CargoholdConfig;

import java.util.function.BooleanSupplier;

/**
 * The admin endpoint every process serves: {@code /metrics} for Prometheus, {@code /healthz}
 * (the process answers) and {@code /readyz} (its roles are started and its cluster member runs).
 */
final class AdminServer {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry meters;
    private final BooleanSupplier ready;

    private AdminServer(PrometheusMeterRegistry meters, BooleanSupplier ready) {
        this.meters = meters;
        this.ready = ready;
    }

    static Future<HttpServer> start(Vertx vertx, CargoholdConfig.Endpoint endpoint, PrometheusMeterRegistry meters,
                                    BooleanSupplier ready) {
        AdminServer admin = new AdminServer(meters, ready);
        return vertx.createHttpServer(new HttpServerOptions().setHost(endpoint.host()).setPort(endpoint.port()))
                .requestHandler(admin::handle)
                .listen();
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(meters.scrape());
            case "/healthz" -> status(request, 200, "ok");
            case "/readyz" -> {
                boolean isReady = ready.getAsBoolean();
                status(request, isReady ? 200 : 503, isReady ? "ready" : "starting");
            }
            default -> status(request, 404, "no such endpoint");
        }
    }

    private static void status(HttpServerRequest request, int status, String text) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text + "\n");
    }
}
