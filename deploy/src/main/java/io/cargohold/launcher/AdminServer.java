package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.tls.CertificateReloader;
import io.cargohold.tls.ListenerTls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin endpoint every process serves, the first part it starts: {@code /metrics} for
 * Prometheus, {@code /healthz} (the process answers) and {@code /readyz}: 200 when the process can
 * take work, 503 with a one-line reason otherwise (see {@code Node#notReadyReason}); where the
 * coordinator role runs, also the control API under {@code /api/v1}, {@linkplain #mount mounted} once
 * the roles have started (until then other paths answer 503 with the readiness reason). HTTPS only
 * with {@code admin.tls}, whose files it follows; with {@code admin.tls.clientCa}, clients must
 * present a certificate signed by it.
 */
final class AdminServer {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry meters;
    private final Supplier<String> notReadyReason;
    private final Router router;
    private HttpServer server;
    private volatile boolean mounted;

    private AdminServer(PrometheusMeterRegistry meters, Supplier<String> notReadyReason, Router router) {
        this.meters = meters;
        this.notReadyReason = notReadyReason;
        this.router = router;
    }

    /** {@code notReadyReason}: why the process cannot take work yet, or null when it can. */
    static Future<AdminServer> start(Vertx vertx, CargoholdConfig.Endpoint endpoint, PrometheusMeterRegistry meters,
                                     Supplier<String> notReadyReason) {
        AdminServer admin = new AdminServer(meters, notReadyReason, Router.router(vertx));
        admin.router.route().last().handler(ctx -> admin.handle(ctx.request()));
        HttpServerOptions options = new HttpServerOptions().setHost(endpoint.host()).setPort(endpoint.port());
        ListenerTls tls = endpoint.tls() == null ? null : ListenerTls.read("admin.tls", endpoint.tls(), true);
        if (tls != null) {
            tls.applyTo(options);
        }
        return vertx.createHttpServer(options)
                .requestHandler(admin.router)
                .listen()
                .map(server -> {
                    admin.server = server;
                    if (tls != null) {
                        // Stops with Vert.x, as the server does.
                        CertificateReloader.follow(vertx, "admin.tls", endpoint.tls(), true, tls, List.of(server));
                    }
                    return admin;
                });
    }

    /** Adds what the process's roles serve besides (the control API), ahead of the admin paths. */
    void mount(Consumer<Router> routes) {
        routes.accept(router);
        mounted = true;
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/metrics" -> request.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(meters.scrape());
            case "/healthz" -> status(request, 200, "ok");
            case "/readyz" -> {
                String reason = notReady();
                status(request, reason == null ? 200 : 503, reason == null ? "ready" : reason);
            }
            default -> {
                String reason = mounted ? null : notReady();
                status(request, reason == null ? 404 : 503, reason == null ? "no such endpoint" : reason);
            }
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
