package io.cargohold.edge;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.edge.http.Routes;
import io.cargohold.edge.proxy.ProxyBlobStore;
import io.cargohold.edge.proxy.ProxyManifestStore;
import io.cargohold.edge.proxy.RuleResolver;
import io.cargohold.edge.proxy.Upstreams;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * An edge node: the registry API served by one HTTP server per event loop, all on one port,
 * answering from the shared metadata and blob store and pulling through on a miss.
 */
public final class EdgeNode {

    private final List<HttpServer> servers;

    private EdgeNode(List<HttpServer> servers) {
        this.servers = servers;
    }

    /** What an edge node serves from and reports to. */
    public record Dependencies(BlobStore blobStore, MetadataStore metadata, FetchLeases leases,
                               EventPublisher events, Upstreams upstreams) {
    }

    public static Future<EdgeNode> start(Vertx vertx, CargoholdConfig config, Dependencies dependencies,
                                         String node) {
        return start(vertx, config, dependencies, node, Clock.systemUTC());
    }

    /** As above, with the clock that ages cached tags (tests move it forward by hand). */
    public static Future<EdgeNode> start(Vertx vertx, CargoholdConfig config, Dependencies dependencies,
                                         String node, Clock clock) {
        RuleResolver rules = new RuleResolver(config.rules());
        ProxyManifestStore manifests = new ProxyManifestStore(dependencies.metadata(), dependencies.blobStore(),
                dependencies.upstreams(), dependencies.leases(), dependencies.events(), node,
                config.limits().maxManifestBytes(), clock);
        ProxyBlobStore blobs = new ProxyBlobStore(dependencies.blobStore(), dependencies.upstreams(),
                dependencies.leases(), dependencies.events(), node);
        Routes routes = new Routes(rules, manifests, blobs, dependencies.metadata());
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.http().host())
                .setPort(config.http().port())
                .setReuseAddress(true);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<HttpServer> servers = new ArrayList<>();
        // The first server fixes the port (a configured 0 picks a free one); the rest share it.
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
        }).map(v -> new EdgeNode(List.copyOf(servers)));
    }

    public int port() {
        return servers.get(0).actualPort();
    }

    public Future<Void> close() {
        return Future.all(servers.stream().map(HttpServer::close).toList()).mapEmpty();
    }
}
