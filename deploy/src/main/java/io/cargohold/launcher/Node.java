package io.cargohold.launcher;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.config.SecretCredentialsProvider;
import io.cargohold.edge.EdgeNode;
import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.edge.proxy.Upstreams;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.refresher.RefresherWorker;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One running Cargohold process: the shared parts its role needs, started in order, closed in reverse. */
final class Node {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final int UPSTREAM_CONNECTIONS_PER_HOST = 32;

    private final Role role;
    private final CargoholdConfig config;
    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final EdgeNode edge;

    private Node(Role role, CargoholdConfig config, Vertx vertx, HazelcastInstance hazelcast, EdgeNode edge) {
        this.role = role;
        this.config = config;
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.edge = edge;
    }

    static Node start(Role role, CargoholdConfig config) {
        if (!"filesystem".equals(config.storage().type())) {
            throw new ConfigException("storage.type: '" + config.storage().type()
                    + "' is not supported by this build yet (use filesystem)");
        }
        Vertx vertx = Vertx.vertx();
        HazelcastInstance hazelcast = null;
        try {
            hazelcast = member(config);
            return new Node(role, config, vertx, hazelcast, startRoles(vertx, role, config, hazelcast));
        } catch (RuntimeException e) {
            if (hazelcast != null) {
                hazelcast.shutdown();
            }
            vertx.close();
            throw e;
        }
    }

    private static HazelcastInstance member(CargoholdConfig config) {
        CargoholdConfig.ClusterConfig cluster = config.cluster();
        if (cluster == null) {
            return HazelcastMembers.start(HazelcastMembers.standaloneConfig());
        }
        return HazelcastMembers.start(HazelcastMembers.clusterConfig(
                cluster.name() == null ? "cargohold" : cluster.name(),
                cluster.port() == null ? 5801 : cluster.port(),
                cluster.members() == null ? List.of() : cluster.members()));
    }

    private static EdgeNode startRoles(Vertx vertx, Role role, CargoholdConfig config, HazelcastInstance hazelcast) {
        FileSystemBlobStore blobs = new FileSystemBlobStore(vertx, Path.of(config.storage().path()));
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(10_000)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS),
                new PoolOptions().setHttp1MaxSize(UPSTREAM_CONNECTIONS_PER_HOST));
        Upstreams upstreams = new Upstreams(rule -> new HttpUpstreamClient(vertx, http, rule.upstreamUri(),
                SecretCredentialsProvider.of(vertx, rule.credentials())));
        HazelcastMetadataStore metadata = new HazelcastMetadataStore(vertx, hazelcast);
        LocalEventPublisher events = new LocalEventPublisher(vertx);
        PullThrough pullThrough = PullThrough.create(config, new PullThrough.Dependencies(blobs, metadata,
                new HazelcastFetchLeases(vertx, hazelcast), events, upstreams), nodeName(config), Clock.systemUTC());
        if (role.runsWorkers()) {
            RefresherWorker worker = new RefresherWorker(pullThrough, metadata, Clock.systemUTC());
            vertx.eventBus().<JsonObject>localConsumer(LocalEventPublisher.ADDRESS, message -> {
                RegistryEvent event = RegistryEvent.fromJson(message.body());
                worker.handle(event).onFailure(e -> LOG.warn("{} of {} not handled: {}", event.type(),
                        event.repository(), e.getMessage()));
            });
        }
        Future<EdgeNode> edge = role.servesRegistry()
                ? blobs.initialize().compose(v -> EdgeNode.start(vertx, config, pullThrough))
                : blobs.initialize().map(v -> null);
        return edge.toCompletionStage().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static String nodeName(CargoholdConfig config) {
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + config.http().port();
        } catch (UnknownHostException e) {
            return "cargohold:" + config.http().port();
        }
    }

    String startupLine() {
        StringBuilder line = new StringBuilder("cargohold ").append(role.command()).append(" started:");
        if (edge != null) {
            line.append(" registry http://").append(config.http().host()).append(':').append(edge.port());
        }
        line.append(" cluster ").append(hazelcast.getCluster().getLocalMember().getAddress());
        line.append(" rules ").append(config.rules().size());
        return line.toString();
    }

    void close() {
        Future<Void> edgeClosed = edge == null ? Future.succeededFuture() : edge.close();
        edgeClosed.eventually(() -> vertx.close()).toCompletionStage().toCompletableFuture()
                .orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> null).join();
        hazelcast.shutdown();
    }
}
