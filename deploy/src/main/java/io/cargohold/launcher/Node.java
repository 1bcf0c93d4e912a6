package io.cargohold.launcher;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.cache.ClusterControl;
import io.cargohold.cache.FillPeers;
import io.cargohold.cache.PullThrough;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.CoordinatorRole;
import io.cargohold.edge.EdgeRole;
import io.cargohold.edge.http.PeerFillHandler;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMapMetrics;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.node.NodeParts;
import io.cargohold.node.StartedParts;
import io.cargohold.refresher.RefresherRole;
import io.cargohold.store.rocksdb.ImportProgress;
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
    private final StartedParts toClose = new StartedParts();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ImportProgress metadataImport = new ImportProgress();
    private final StartupSteps steps = new StartupSteps(metadataImport);
    private HazelcastInstance hazelcast;
    private StorageProbe storageProbe;
    private NodeEvents events;
    private EdgeRole edge;
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
        toClose.add(() -> awaitStop(vertx.close()));
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
            toClose.add(opened);
            storageProbe = toClose.add(steps.await(StorageProbe.start(vertx, opened.blobs())));
            return opened;
        });
        steps.run("joining the cluster", () -> {
            hazelcast = HazelcastMembers.start(ClusterMember.config(config, storage.documents()));
            toClose.add(hazelcast::shutdown);
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
        events = toClose.add(new NodeEvents(vertx, config.kafka(), meters));
        UpstreamClients upstreams = toClose.add(new UpstreamClients(vertx, config.upstreamTls()));
        // A node's leases name where it serves its fetches to the edges, once it listens: an edge's
        // registry port, or the admin port of a node without one (a refresher prefetching).
        AtomicReference<URI> peerAddress = new AtomicReference<>();
        FillPeers peers = steps.await(vertx.executeBlocking(() -> FillPeers.join(vertx, hazelcast), false));
        PullThrough pullThrough = PullThrough.create(config, new PullThrough.Dependencies(storage.blobs(), metadata,
                new HazelcastFetchLeases(vertx, hazelcast, () -> Optional.ofNullable(peerAddress.get())),
                events.publisher(), upstreams.upstreams(config.rules()), meters, peers), nodeName(), Clock.systemUTC());
        toClose.add(steps.await(vertx.executeBlocking(
                () -> ClusterControl.follow(hazelcast, config.rules(), pullThrough), false)));
        NodeParts parts = new NodeParts(config, vertx, hazelcast, storage.blobs(), metadata, events.publisher(), events,
                meters, pullThrough, nodeName());
        if (role.runsWorkers()) {
            toClose.add(RefresherRole.start(parts));
        }
        if (role.servesRegistry()) {
            edge = steps.await(EdgeRole.start(parts, registryDocuments));
            toClose.add(() -> awaitStop(edge.close()));
            peerAddress.set(peerUrl(edge.tls(), edge.port()));
        }
        admin.mount(router -> {
            if (!role.servesRegistry()) {
                PeerFillHandler peerFills = new PeerFillHandler(pullThrough.blobs());
                router.route(FillPeers.PATH + "*").handler(ctx -> peerFills.serve(ctx.request()));
                peerAddress.set(peerUrl(config.admin().tls() != null, admin.port()));
            }
            if (role.runsControlPlane()) {
                toClose.add(CoordinatorRole.mount(parts, router, registryUrl()));
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
        toClose.close();
    }

    private static void awaitStop(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().orTimeout(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
