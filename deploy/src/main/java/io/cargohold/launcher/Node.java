package io.cargohold.launcher;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.api.AdminAccess;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.coordinator.ecr.EcrApi;
import io.cargohold.coordinator.console.Console;
import io.cargohold.edge.EdgeNode;
import io.cargohold.edge.http.PeerFillHandler;
import io.cargohold.edge.metrics.StatsSnapshot;
import io.cargohold.edge.proxy.ClusterControl;
import io.cargohold.edge.proxy.FillPeers;
import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.lifecycle.worker.LifecycleLeader;
import io.cargohold.lifecycle.worker.LifecycleTrigger;
import io.cargohold.lifecycle.worker.LifecycleWorker;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMapMetrics;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.refresher.RefresherWorker;
import io.cargohold.store.rocksdb.ImportProgress;
import io.cargohold.store.tier.LocalTierBlobStore;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One running Cargohold process: the admin endpoint first (so {@code /healthz} answers and
 * {@code /readyz} says what start-up is doing), then storage, the Hazelcast member, events and the
 * roles' parts (the registry API, the refresher workers, the control API), started in that order
 * and closed in reverse. The same code runs the embedded default and every cluster role; the config
 * alone decides between a filesystem and a bucket, one member and a cluster, in-process events
 * and Kafka.
 */
final class Node {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Stopping a part waits at most this long; starting one waits as long as it takes (see StartupSteps). */
    private static final long STOP_TIMEOUT_SECONDS = 120;

    private final Role role;
    private final CargoholdConfig config;
    private final Vertx vertx;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ImportProgress metadataImport = new ImportProgress();
    private final StartupSteps steps = new StartupSteps(metadataImport);
    private HazelcastInstance hazelcast;
    private StorageProbe storageProbe;
    private NodeEvents events;
    private EdgeNode edge;
    private AdminServer admin;
    private volatile boolean started;

    Node(Role role, CargoholdConfig config) {
        this.role = role;
        this.config = config;
        // Vert.x reports its own meters (HTTP servers and clients, pools, event bus) to the same registry.
        // Netty's epoll transport on Linux: native sendfile, fewer copies and less garbage per request.
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setPreferNativeTransport(true)
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(meters))
                .build();
        toClose.push(() -> awaitStop(vertx.close()));
        if (!vertx.isNativeTransportEnabled()) {
            LOG.info("network transport: Java NIO (no native transport here: {})",
                    vertx.unavailableNativeTransportCause().getMessage());
        }
    }

    static Node start(Role role, CargoholdConfig config) {
        Node node = new Node(role, config);
        try {
            node.startAdmin();
            node.startParts();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Serves {@code /healthz}, {@code /readyz} and {@code /metrics} before anything else starts. */
    void startAdmin() {
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        metadataImport.bindTo(meters);
        admin = steps.run("starting the admin endpoint",
                () -> steps.await(AdminServer.start(vertx, config.admin(), meters, this::notReadyReason)));
    }

    void startParts() {
        Storage storage = steps.run("opening storage", () -> {
            Storage opened = steps.await(Storage.open(vertx, config.storage(), role.servesRegistry(),
                    metadataImport));
            toClose.push(opened);
            storageProbe = steps.await(StorageProbe.start(vertx, opened.blobs()));
            toClose.push(storageProbe);
            return opened;
        });
        steps.run("joining the cluster", () -> {
            hazelcast = HazelcastMembers.start(ClusterMember.config(config, storage.documents()));
            toClose.push(hazelcast::shutdown);
        });
        HazelcastMetadataStore metadata = steps.run("opening the metadata maps", () -> {
            HazelcastMetadataStore opened = steps.await(HazelcastMetadataStore.open(vertx, hazelcast));
            new HazelcastMapMetrics(hazelcast).bindTo(meters);
            return opened;
        });
        steps.run("setting up the roles", () -> startRoles(storage, metadata));
        started = true;
        steps.finished();
    }

    private void startRoles(Storage storage, HazelcastMetadataStore metadata) {
        HazelcastRegistryDocuments registryDocuments = new HazelcastRegistryDocuments(hazelcast);
        NodeAccess.seedRegistryPolicy(config, registryDocuments);
        events = new NodeEvents(vertx, config.kafka(), meters);
        toClose.push(events);
        UpstreamClients upstreams = new UpstreamClients(vertx, config.upstreamTls());
        toClose.push(upstreams);
        // A node's leases name where it serves its fetches to the edges, once it listens: an edge's
        // registry port, or the admin port of a node without one (a refresher prefetching).
        AtomicReference<URI> peerAddress = new AtomicReference<>();
        FillPeers peers = steps.await(vertx.executeBlocking(() -> FillPeers.join(vertx, hazelcast), false));
        PullThrough pullThrough = PullThrough.create(config, new PullThrough.Dependencies(storage.blobs(), metadata,
                new HazelcastFetchLeases(vertx, hazelcast, () -> Optional.ofNullable(peerAddress.get())),
                events.publisher(), upstreams.upstreams(config.rules()), meters, peers), nodeName(), Clock.systemUTC());
        toClose.push(steps.await(vertx.executeBlocking(
                () -> ClusterControl.follow(hazelcast, config.rules(), pullThrough), false)));
        if (role.runsWorkers()) {
            RefresherWorker refresher = new RefresherWorker(pullThrough, metadata, Clock.systemUTC());
            LifecycleTrigger trigger = LifecycleTrigger.of(hazelcast, metadata, config.lifecycle(),
                    pullThrough.rules()::rules, Clock.systemUTC());
            toClose.push(events.feed(event -> refresher.handle(event).compose(v -> trigger.handle(event))));
            startLifecycle(new LifecycleWorker(metadata, storage.blobs(), events.publisher(), meters,
                    config.lifecycle(), pullThrough.rules()::rules, nodeName(), Clock.systemUTC()));
        }
        NodeStatsBoard board = new NodeStatsBoard(vertx, hazelcast);
        if (role.servesRegistry()) {
            edge = steps.await(EdgeNode.start(vertx, config, pullThrough,
                    steps.await(NodeAccess.registryAccess(vertx, config, pullThrough, registryDocuments))));
            toClose.push(() -> awaitStop(edge.close()));
            peerAddress.set(peerUrl(edge.tls(), edge.port()));
            long posting = vertx.setPeriodic(1, NodeStatsBoard.POST_EVERY.toMillis(),
                    tick -> board.post(nodeName(), StatsSnapshot.of(meters)));
            toClose.push(() -> vertx.cancelTimer(posting));
            if (storage.blobs() instanceof LocalTierBlobStore tier) {
                dropCollectedBlobs(tier);
            }
        }
        ControlApi.Dependencies control = new ControlApi.Dependencies(vertx, hazelcast, pullThrough, config.rules(),
                events.publisher(), nodeName(), NodeAccess.authorizer(config), config.upstreamTls());
        admin.mount(router -> {
            if (!role.servesRegistry()) {
                PeerFillHandler peerFills = new PeerFillHandler(pullThrough.blobs());
                router.route(FillPeers.PATH + "*").handler(ctx -> peerFills.serve(ctx.request()));
                peerAddress.set(peerUrl(config.admin().tls() != null, admin.port()));
            }
            if (role.runsControlPlane()) {
                AdminAccess.of(vertx, config.auth()).protect(router);
                long sampling = Console.mount(vertx, router, board, metadata, () -> pullThrough.rules().rules());
                toClose.push(() -> vertx.cancelTimer(sampling));
                ControlApi.Operations operations = ControlApi.mount(router, control);
                EcrApi.mount(router, new EcrApi.Dependencies(vertx, operations, config.auth(), registryUrl()));
            }
        });
    }

    /**
     * The registry API's URL as the ECR API gives it to clients: this process's registry port, or the configured
     * one where the edges listen when this process serves no registry.
     */
    private String registryUrl() {
        return "http://" + config.http().host() + ":" + (edge != null ? edge.port() : config.http().port());
    }

    /** Where the other nodes reach this one's {@code port}: the host its Hazelcast member advertises. */
    private URI peerUrl(boolean tls, int port) {
        return URI.create((tls ? "https://" : "http://") + hazelcast.getCluster().getLocalMember().getAddress().getHost()
                + ":" + port);
    }

    /**
     * Why this process cannot take work, or null when it can: every part started (until then, the
     * start-up step it is in), the Hazelcast member running, the storage answering its probe and,
     * with Kafka configured, the event producer connected.
     */
    private String notReadyReason() {
        if (!started) {
            return steps.notReadyReason();
        }
        if (!hazelcast.getLifecycleService().isRunning()) {
            return "the Hazelcast member is not running";
        }
        String storageProblem = storageProbe.problem();
        if (storageProblem != null) {
            return storageProblem;
        }
        return events.problem();
    }

    /** Registers this member as a lifecycle runner; it runs while it leads. */
    private void startLifecycle(LifecycleWorker worker) {
        LifecycleLeader leader = new LifecycleLeader(hazelcast, nodeName());
        toClose.push(leader);
        long timer = worker.schedule(vertx, leader);
        toClose.push(() -> vertx.cancelTimer(timer));
    }

    /** Drops this edge's tier copies of the blobs garbage collection deleted from the bucket. */
    private void dropCollectedBlobs(LocalTierBlobStore tier) {
        long timer = vertx.setPeriodic(config.lifecycle().interval().toMillis(), id -> tier.dropCollected()
                .onFailure(e -> LOG.warn("dropping collected blobs from the local tier failed: {}", e.toString())));
        toClose.push(() -> vertx.cancelTimer(timer));
    }

    private String nodeName() {
        try {
            return InetAddress.getLocalHost().getHostName() + ":" + config.http().port();
        } catch (UnknownHostException e) {
            return "cargohold:" + config.http().port();
        }
    }

    int adminPort() {
        return admin.port();
    }

    String startupLine() {
        StringBuilder line = new StringBuilder("cargohold ").append(role.command()).append(" started:");
        if (edge != null) {
            line.append(" registry ").append(edge.tls() ? "https://" : "http://").append(config.http().host()).append(':').append(edge.port());
        }
        line.append(" admin ").append(config.admin().tls() != null ? "https://" : "http://").append(config.admin().host()).append(':').append(admin.port());
        line.append(" cluster ").append(hazelcast.getCluster().getLocalMember().getAddress());
        line.append(" storage ").append(config.storage().type());
        line.append(" events ").append(config.kafka() == null ? "in-process" : "kafka");
        line.append(" rules ").append(config.rules().size());
        return line.toString();
    }

    /** Stops every started part, newest first; a part that fails to stop does not keep the rest running. */
    void close() {
        started = false;
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                LOG.warn("stopping a part failed: {}", e.getMessage());
            }
        }
    }

    private static void awaitStop(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().orTimeout(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
