package io.cargohold.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.api.AdminAccess;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.coordinator.console.Console;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.config.ConfigException;
import io.cargohold.config.SecretValue;
import io.cargohold.edge.EdgeNode;
import io.cargohold.edge.auth.PolicyAccessControl;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.edge.proxy.ClusterControl;
import io.cargohold.edge.metrics.StatsSnapshot;
import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.edge.proxy.Upstreams;
import io.cargohold.events.kafka.KafkaEventPublisher;
import io.cargohold.events.kafka.KafkaEventSubscriber;
import io.cargohold.events.kafka.KafkaTopicSetup;
import io.cargohold.events.kafka.KafkaTopics;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.lifecycle.worker.LifecycleLeader;
import io.cargohold.lifecycle.worker.LifecycleTrigger;
import io.cargohold.lifecycle.worker.LifecycleWorker;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMapMetrics;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.policy.Authorizer;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.refresher.RefresherWorker;
import io.cargohold.spi.DocumentStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.store.tier.LocalTierBlobStore;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One running Cargohold process: storage, the Hazelcast member, events, then the roles' parts
 * (the registry API, the refresher workers) and the admin endpoint, started in that order and
 * closed in reverse. The same code runs the embedded default and every cluster role; the config
 * alone decides between a filesystem and a bucket, one member and a cluster, in-process events
 * and Kafka.
 */
final class Node {

    /** The Kafka consumer group of refresher workers: they share the topics' partitions. */
    static final String REFRESHER_GROUP = "cargohold-refresher";

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final int UPSTREAM_CONNECTIONS_PER_HOST = 32;
    private static final int UPSTREAM_MAX_CHUNK_SIZE = 64 * 1024;
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final Duration KAFKA_TOPIC_SETUP_TIMEOUT = Duration.ofSeconds(30);

    private final Role role;
    private final CargoholdConfig config;
    private final Vertx vertx;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Map<CacheRule, CredentialsProvider> credentials = new ConcurrentHashMap<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private HazelcastInstance hazelcast;
    private StorageProbe storageProbe;
    private KafkaEventPublisher kafka;
    private EdgeNode edge;
    private HttpServer admin;
    private volatile boolean started;

    private Node(Role role, CargoholdConfig config) {
        this.role = role;
        this.config = config;
        // Vert.x reports its own meters (HTTP servers and clients, pools, event bus) to the same registry.
        // Netty's epoll transport on Linux: native sendfile, fewer copies and less garbage per request.
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setPreferNativeTransport(true)
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(meters))
                .build();
        toClose.push(() -> await(vertx.close()));
        if (!vertx.isNativeTransportEnabled()) {
            LOG.info("network transport: Java NIO (no native transport here: {})",
                    vertx.unavailableNativeTransportCause().getMessage());
        }
    }

    static Node start(Role role, CargoholdConfig config) {
        Node node = new Node(role, config);
        try {
            node.startParts();
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startParts() {
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        Storage storage = await(Storage.open(vertx, config.storage(), role.servesRegistry()));
        toClose.push(storage);
        storageProbe = await(StorageProbe.start(vertx, storage.blobs()));
        toClose.push(storageProbe);
        hazelcast = HazelcastMembers.start(memberConfig(storage.documents()));
        toClose.push(hazelcast::shutdown);
        HazelcastMetadataStore metadata = await(HazelcastMetadataStore.open(vertx, hazelcast));
        new HazelcastMapMetrics(hazelcast).bindTo(meters);
        HazelcastRegistryDocuments registryDocuments = new HazelcastRegistryDocuments(hazelcast);
        seedRegistryPolicy(registryDocuments);
        EventPublisher events = events();
        PullThrough pullThrough = PullThrough.create(config, new PullThrough.Dependencies(storage.blobs(), metadata,
                new HazelcastFetchLeases(vertx, hazelcast), events, upstreams(), meters), nodeName(),
                Clock.systemUTC());
        toClose.push(await(vertx.executeBlocking(() -> ClusterControl.follow(hazelcast, config.rules(), pullThrough),
                false)));
        if (role.runsWorkers()) {
            RefresherWorker refresher = new RefresherWorker(pullThrough, metadata, Clock.systemUTC());
            LifecycleTrigger trigger = LifecycleTrigger.of(hazelcast, metadata, config.lifecycle(),
                    pullThrough.rules()::rules, Clock.systemUTC());
            startWorkers(event -> refresher.handle(event).compose(v -> trigger.handle(event)));
            startLifecycle(new LifecycleWorker(metadata, storage.blobs(), events, meters, config.lifecycle(),
                    pullThrough.rules()::rules, nodeName(), Clock.systemUTC()));
        }
        NodeStatsBoard board = new NodeStatsBoard(vertx, hazelcast);
        if (role.servesRegistry()) {
            edge = await(EdgeNode.start(vertx, config, pullThrough, registryAccess(pullThrough, registryDocuments)));
            toClose.push(() -> await(edge.close()));
            long posting = vertx.setPeriodic(1, NodeStatsBoard.POST_EVERY.toMillis(),
                    tick -> board.post(nodeName(), StatsSnapshot.of(meters)));
            toClose.push(() -> vertx.cancelTimer(posting));
            if (storage.blobs() instanceof LocalTierBlobStore tier) {
                dropCollectedBlobs(tier);
            }
        }
        ControlApi.Dependencies control = new ControlApi.Dependencies(vertx, hazelcast, pullThrough, config.rules(),
                events, nodeName(), authorizer());
        admin = await(AdminServer.start(vertx, config.admin(), meters, this::notReadyReason, router -> {
            if (role.runsControlPlane()) {
                AdminAccess.of(vertx, config.auth()).protect(router);
                long sampling = Console.mount(vertx, router, board, metadata, () -> pullThrough.rules().rules());
                toClose.push(() -> vertx.cancelTimer(sampling));
                ControlApi.mount(router, control);
            }
        }));
        started = true;
    }

    /**
     * Client authentication and policies on the registry API when the config has {@code auth}: tokens signed with
     * {@code auth.tokenKey}, or else with the key the cluster shares.
     */
    private RegistryAccess registryAccess(PullThrough pullThrough, HazelcastRegistryDocuments registryDocuments) {
        CargoholdConfig.AuthConfig auth = config.auth();
        if (auth == null) {
            return RegistryAccess.ANONYMOUS;
        }
        String key = await(vertx.executeBlocking(() -> auth.tokenKey() != null
                ? SecretValue.resolve("auth.tokenKey", auth.tokenKey(), System.getenv())
                : registryDocuments.sharedTokenKey(), false));
        return PolicyAccessControl.create(vertx, auth, key, pullThrough, registryDocuments, registryDocuments);
    }

    /**
     * How the control API simulates decisions: as the edges decide; without {@code auth}, where the edges enforce
     * no policies, as they would with the default {@code auth} settings and anonymous pulls on.
     */
    private Authorizer authorizer() {
        CargoholdConfig.AuthConfig auth = config.auth() != null ? config.auth()
                : new CargoholdConfig.AuthConfig(true, null, null, null, null, null, null, null, null, null);
        return auth.authorizer();
    }

    /** {@code auth.registryPolicy} becomes the registry policy while the cluster has none. */
    private void seedRegistryPolicy(HazelcastRegistryDocuments registryDocuments) {
        String reference = config.auth() == null ? null : config.auth().registryPolicy();
        if (reference == null) {
            return;
        }
        String policy = SecretValue.resolve("auth.registryPolicy", reference, System.getenv());
        try {
            Policy.parse(policy);
        } catch (PolicyException e) {
            throw new ConfigException("auth.registryPolicy: '" + reference + "' is not a valid policy: "
                    + e.getMessage(), e);
        }
        if (registryDocuments.seedRegistryPolicy(policy)) {
            LOG.info("registry policy seeded from auth.registryPolicy");
        }
    }

    /**
     * Why this process cannot take work, or null when it can: every part started, the Hazelcast
     * member running, the storage answering its probe and, with Kafka configured, the event
     * producer connected.
     */
    private String notReadyReason() {
        if (!started) {
            return "starting";
        }
        if (!hazelcast.getLifecycleService().isRunning()) {
            return "the Hazelcast member is not running";
        }
        String storageProblem = storageProbe.problem();
        if (storageProblem != null) {
            return storageProblem;
        }
        if (kafka != null && !kafka.isConnected()) {
            return "the Kafka producer has not reached " + config.kafka().bootstrapServers() + " lately";
        }
        return null;
    }

    private Config memberConfig(DocumentStore documents) {
        CargoholdConfig.ClusterConfig cluster = config.cluster();
        if (cluster == null) {
            return HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), documents);
        }
        String name = cluster.name() == null ? HazelcastMembers.DEFAULT_CLUSTER_NAME : cluster.name();
        int port = cluster.port() == null ? HazelcastMembers.DEFAULT_PORT : cluster.port();
        Config member = cluster.kubernetes() != null
                ? HazelcastMembers.kubernetesConfig(name, port, cluster.kubernetes().serviceDns())
                : HazelcastMembers.clusterConfig(name, cluster.host() == null ? config.http().host() : cluster.host(),
                        port, cluster.members() == null ? List.of() : cluster.members());
        return HazelcastMembers.withDurableMaps(member, documents);
    }

    private EventPublisher events() {
        if (config.kafka() == null) {
            return new LocalEventPublisher(vertx);
        }
        KafkaTopics topics = KafkaTopics.fromMap(config.kafka().topics());
        createMissingTopics(topics);
        kafka = new KafkaEventPublisher(config.kafka().bootstrapServers(), topics, meters);
        toClose.push(kafka);
        return kafka;
    }

    /**
     * Creates the event topics that do not exist, in the background: a node starts, and pulls go on,
     * while Kafka is down or refuses; then the brokers' auto-creation, or the deployment, has to make them.
     */
    private void createMissingTopics(KafkaTopics topics) {
        vertx.executeBlocking(() -> KafkaTopicSetup.ensure(config.kafka().bootstrapServers(), topics,
                        KAFKA_TOPIC_SETUP_TIMEOUT), false)
                .onSuccess(created -> {
                    if (!created.isEmpty()) {
                        LOG.info("created the Kafka topics {}", created);
                    }
                })
                .onFailure(e -> LOG.warn("{}; events wait for the brokers' auto-creation or the deployment's topics",
                        e.getMessage()));
    }

    private Upstreams upstreams() {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(10_000)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS)
                        // Blob bodies arrive in chunks of at most this size (Vert.x's default is
                        // 8 KiB). Each chunk is one write to the spool file and one hand-off to every
                        // client following the fill, so 8 KiB chunks made a miss several times slower
                        // than the upstream; a whole socket read (up to 64 KiB) now stays one chunk.
                        .setMaxChunkSize(UPSTREAM_MAX_CHUNK_SIZE),
                new PoolOptions().setHttp1MaxSize(UPSTREAM_CONNECTIONS_PER_HOST));
        toClose.push(() -> credentials.values().forEach(provider -> {
            if (provider instanceof CachingCredentialsProvider caching) {
                caching.close();
            }
        }));
        warnUnreadableCredentials();
        return new Upstreams(rule -> new HttpUpstreamClient(vertx, http, rule.upstreamUri(), credentials(rule)));
    }

    private CredentialsProvider credentials(CacheRule rule) {
        return credentials.computeIfAbsent(rule, r -> RuleCredentials.provider(vertx, r));
    }

    /**
     * Reads every rule's credentials once in the background and logs the ones that cannot be read:
     * an upstream secret unreadable for a while must not stop the cache, whose other rules still work.
     */
    private void warnUnreadableCredentials() {
        for (int i = 0; i < config.rules().size(); i++) {
            if (credentials(config.rules().get(i)) instanceof CachingCredentialsProvider provider) {
                provider.validate("rules[" + i + "].credentials").onSuccess(check -> {
                    if (!check.readable()) {
                        LOG.warn("{} (pulls through this rule fail until it can be read)", check.message());
                    }
                });
            }
        }
    }

    /**
     * Feeds the workers (the refresher, the lifecycle trigger) the events they react to: from the
     * in-process bus in the embedded default, from the Kafka consumer group otherwise (at-least-once;
     * both are idempotent).
     */
    private void startWorkers(Function<RegistryEvent, Future<Void>> worker) {
        if (config.kafka() == null) {
            MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(LocalEventPublisher.ADDRESS,
                    message -> {
                        RegistryEvent event = RegistryEvent.fromJson(message.body());
                        worker.apply(event).onFailure(e -> LOG.warn("{} of {} not handled: {}", event.type(),
                                event.repository(), e.getMessage()));
                    });
            toClose.push(() -> await(consumer.unregister()));
            return;
        }
        KafkaTopics topics = KafkaTopics.fromMap(config.kafka().topics());
        Context context = vertx.getOrCreateContext();
        KafkaEventSubscriber subscriber = new KafkaEventSubscriber(config.kafka().bootstrapServers(), REFRESHER_GROUP,
                List.of(topics.images(), topics.pulls()), event -> onContext(context, () -> worker.apply(event)),
                KafkaEventSubscriber.Options.defaults().withMeters(meters));
        toClose.push(subscriber);
        subscriber.start();
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

    /** Runs Vert.x work for a caller on another thread (the Kafka poll loop) on a Vert.x context. */
    private static Future<Void> onContext(Context context, Supplier<Future<Void>> work) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(done));
        return done.future();
    }

    private String nodeName() {
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
        line.append(" admin http://").append(config.admin().host()).append(':').append(admin.actualPort());
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

    /** Waits for a start-up step; its own failure (a {@code ConfigException}, say) is thrown as it is. */
    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture()
                    .orTimeout(START_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
