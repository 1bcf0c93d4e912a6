package io.cargohold.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.cargohold.config.CargoholdConfig;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin endpoint every process serves: {@code /metrics} for Prometheus, {@code /healthz}
 * (the process answers) and {@code /readyz}: 200 when the process can take work, 503 with a
 * one-line reason otherwise (see {@code Node#notReadyReason}); where the coordinator role runs, also
 * the control API under {@code /api/v1}.
 */
final class AdminServer {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry meters;
    private final Supplier<String> notReadyReason;

    private AdminServer(PrometheusMeterRegistry meters, Supplier<String> notReadyReason) {
        this.meters = meters;
        this.notReadyReason = notReadyReason;
    }

    /**
     * {@code notReadyReason}: why the process cannot take work yet, or null when it can;
     * {@code routes} adds what the process's roles serve besides (the control API).
     */
    static Future<HttpServer> start(Vertx vertx, CargoholdConfig.Endpoint endpoint, PrometheusMeterRegistry meters,
                                    Supplier<String> notReadyReason, Consumer<Router> routes) {
        AdminServer admin = new AdminServer(meters, notReadyReason);
        Router router = Router.router(vertx);
        routes.accept(router);
        router.route().handler(ctx -> admin.handle(ctx.request()));
        return vertx.createHttpServer(new HttpServerOptions().setHost(endpoint.host()).setPort(endpoint.port()))
                .requestHandler(router)
                .listen();
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(meters.scrape());
            case "/healthz" -> status(request, 200, "ok");
            case "/readyz" -> {
                String reason = notReady();
                status(request, reason == null ? 200 : 503, reason == null ? "ready" : reason);
            }
            default -> status(request, 404, "no such endpoint");
        }
    }

    private String notReady() {
        try {
            String reason = notReadyReason.get();
            return reason == null ? null : reason.replaceAll("\\s+", " ").trim();
        } catch (RuntimeException e) {
            return "readiness check failed: " + e;
        }
    }

    private static void status(HttpServerRequest request, int status, String text) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text + "\n");
    }
}
