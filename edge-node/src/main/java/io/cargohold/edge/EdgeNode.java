package io.cargohold.edge;

import io.cargohold.cache.PullThrough;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.edge.http.Routes;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.tls.CertificateReloader;
import io.cargohold.tls.ListenerTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * An edge node: the registry API served by one HTTP server per event loop, all on one port,
 * answering from the shared metadata and blob store and pulling through on a miss; HTTPS only
 * with {@code http.tls}, whose files it follows.
 */
public final class EdgeNode {

    private final List<HttpServer> servers;
    private final CertificateReloader reloader;

    private EdgeNode(List<HttpServer> servers, CertificateReloader reloader) {
        this.servers = servers;
        this.reloader = reloader;
    }

    /** {@code meters}: the process's registry, where the engine's meters are too. */
    public static Future<EdgeNode> start(Vertx vertx, CargoholdConfig config, PullThrough pullThrough,
                                         RegistryAccess access, MeterRegistry meters) {
        Routes routes = new Routes(pullThrough, new EdgeMetrics(meters), config.storage().redirect(), access,
                config.log().access());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(config.http().port())
                .setReuseAddress(true);
        CargoholdConfig.Tls tlsFiles = config.http().tls();
        ListenerTls tls = tlsFiles == null ? null : ListenerTls.read("http.tls", tlsFiles, false);
        if (tls != null) {
            tls.applyTo(options);
        }
        // Vert.x shares one listening socket between servers created with the same host and port,
        // but never a random one: a server asked for port 0 gets a port of its own, and one asked
        // afterwards for that actual port binds again and fails. So a configured 0 gets one server.
        int instances = config.http().port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
        List<HttpServer> servers = new ArrayList<>();
        // The first server fixes the port; the rest share it.
        return vertx.createHttpServer(options).requestHandler(routes).listen().compose(first -> {
            servers.add(first);
            options.setPort(first.actualPort());
            Future<Void> all = Future.succeededFuture();
            for (int i = 1; i < instances; i++) {
                all = all.compose(v -> vertx.createHttpServer(options).requestHandler(routes).listen()
                        .map(server -> {
                            servers.add(server);
                            return null;
                        }));
            }
            return all;
        }).map(v -> new EdgeNode(List.copyOf(servers), tls == null ? null
                : CertificateReloader.follow(vertx, "http.tls", tlsFiles, false, tls, servers)));
    }

    public int port() {
        return servers.get(0).actualPort();
    }

    public boolean tls() {
        return reloader != null;
    }

    public Future<Void> close() {
        if (reloader != null) {
            reloader.close();
        }
        return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
