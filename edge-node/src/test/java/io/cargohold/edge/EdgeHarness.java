package io.cargohold.edge;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.Upstreams;
import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.LimitsConfig;
import io.cargohold.config.LogConfig;
import io.cargohold.edge.auth.PolicyAccessControl;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.oci.Digest;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.spi.RepositoryTemplate;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.MutableClock;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.cargohold.upstream.http.UpstreamTimeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.cargohold.testkit.Await.await;

/**
 * A real edge node in this JVM for tests: {@link EdgeNode} on 127.0.0.1 and a free port, over a
 * {@link FileSystemBlobStore} in a temporary directory, a {@link HazelcastMetadataStore} on one
 * embedded member, a {@link LocalEventPublisher} whose events are recorded, and
 * {@link HttpUpstreamClient}s wrapped in a {@link CountingUpstreamClient}, its meters in a
 * {@link SimpleMeterRegistry}. It owns its Vert.x
 * instance and an HTTP client to talk to the node; {@link #close()} stops everything.
 */
public final class EdgeHarness implements AutoCloseable {

    /** How long any single await may take before the test fails. */
    public static final Duration TIMEOUT = Await.TIMEOUT;
    /** Upstream time-outs short enough that a stuck upstream fails a test rather than hanging it. */
    public static final UpstreamTimeouts TEST_TIMEOUTS = new UpstreamTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(15));

    private final Vertx vertx;
    private final Path dir;
    private final FileSystemBlobStore blobStore;
    private final HazelcastInstance hazelcast;
    private final MetadataStore metadata;
    private final List<RegistryEvent> events;
    private final CountingUpstreamClient.Counts counts;
    private final HttpClient upstreamHttp;
    private final EdgeNode node;
    private final HttpClient client;
    private final MutableClock clock;
    private final MeterRegistry meters;
    private final PullThrough pullThrough;
    private final HazelcastRegistryDocuments registryDocuments;

    private EdgeHarness(Vertx vertx, Path dir, FileSystemBlobStore blobStore, HazelcastInstance hazelcast,
                        MetadataStore metadata, List<RegistryEvent> events, CountingUpstreamClient.Counts counts,
                        HttpClient upstreamHttp, EdgeNode node, HttpClient client, MutableClock clock,
                        MeterRegistry meters, PullThrough pullThrough, HazelcastRegistryDocuments registryDocuments) {
        this.registryDocuments = registryDocuments;
        this.vertx = vertx;
        this.dir = dir;
        this.blobStore = blobStore;
        this.hazelcast = hazelcast;
        this.metadata = metadata;
        this.events = events;
        this.counts = counts;
        this.upstreamHttp = upstreamHttp;
        this.node = node;
        this.client = client;
        this.clock = clock;
        this.meters = meters;
        this.pullThrough = pullThrough;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A cache rule for a test upstream, with the default refresh interval. */
    public static CacheRule rule(String prefix, String upstreamUrl) {
        return new CacheRule(prefix, upstreamUrl, "", null, null, null);
    }

    public static CacheRule rule(String prefix, String upstreamUrl, Duration refreshInterval) {
        return new CacheRule(prefix, upstreamUrl, "", null, refreshInterval, null);
    }

    /** What to start. */
    public static final class Builder {
        private final List<CacheRule> rules = new ArrayList<>();
        private Long maxManifestBytes;
        private UpstreamTimeouts timeouts = TEST_TIMEOUTS;
        private String mirrorDefault;
        private CargoholdConfig.AuthConfig auth;
        private boolean accessLog = true;
        private final List<RepositoryTemplate> templates = new ArrayList<>();
        private Path storeRoot;

        /** {@code log.access}: whether requests are written to the access log (default true). */
        public Builder accessLog(boolean enabled) {
            this.accessLog = enabled;
            return this;
        }

        /** Client authentication and policies, with the token key the config names or the shared one. */
        public Builder auth(CargoholdConfig.AuthConfig auth) {
            this.auth = auth;
            return this;
        }

        /** A creation template in force from the start, as one created through the control API. */
        public Builder template(RepositoryTemplate template) {
            templates.add(template);
            return this;
        }

        public Builder rule(CacheRule rule) {
            rules.add(rule);
            return this;
        }

        public Builder maxManifestBytes(long bytes) {
            this.maxManifestBytes = bytes;
            return this;
        }

        /** The rule that serves unprefixed names in mirror mode ({@code mirror.defaultRule}). */
        public Builder mirrorDefault(String prefix) {
            this.mirrorDefault = prefix;
            return this;
        }

        /** Keeps the blob store under {@code root} (a test's own mount) instead of a temporary directory. */
        public Builder storeRoot(Path root) {
            this.storeRoot = root;
            return this;
        }

        public Builder timeouts(UpstreamTimeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public EdgeHarness start() {
            Vertx vertx = Vertx.vertx();
            Path dir = null;
            HazelcastInstance hazelcast = null;
            try {
                dir = Files.createTempDirectory("edge-harness");
                FileSystemBlobStore blobStore = new FileSystemBlobStore(vertx,
                        storeRoot != null ? storeRoot : dir.resolve("store"));
                await(blobStore.initialize());
                hazelcast = await(HazelcastMembers.start(vertx,
                        HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig())));
                MetadataStore metadata = new HazelcastMetadataStore(vertx, hazelcast);

                String address = "cargohold.events.test." + UUID.randomUUID();
                List<RegistryEvent> events = new CopyOnWriteArrayList<>();
                await(vertx.eventBus().<JsonObject>localConsumer(address,
                        message -> events.add(RegistryEvent.fromJson(message.body()))).completion());
                LocalEventPublisher publisher = new LocalEventPublisher(vertx, address);

                CountingUpstreamClient.Counts counts = new CountingUpstreamClient.Counts();
                HttpClient upstreamHttp = vertx.createHttpClient(new HttpClientOptions(),
                        new PoolOptions().setHttp1MaxSize(32));
                UpstreamTimeouts upstreamTimeouts = timeouts;
                Upstreams upstreams = new Upstreams(rule -> new CountingUpstreamClient(new HttpUpstreamClient(vertx,
                        upstreamHttp, rule.upstreamUri(), CredentialsProvider.ANONYMOUS, upstreamTimeouts), counts));

                CargoholdConfig config = new CargoholdConfig(new CargoholdConfig.Endpoint("127.0.0.1", 0), null, null,
                        null, null, auth, rules, new LimitsConfig(maxManifestBytes, null),
                        new CargoholdConfig.MirrorConfig(mirrorDefault), null, null, null, new LogConfig(accessLog));
                MutableClock clock = MutableClock.now();
                MeterRegistry meters = new SimpleMeterRegistry();
                PullThrough pullThrough = PullThrough.create(config,
                        new PullThrough.Dependencies(blobStore, metadata, new HazelcastFetchLeases(vertx, hazelcast),
                                publisher, upstreams, meters), "edge-test", clock);
                pullThrough.templates().replace(templates);
                HazelcastRegistryDocuments registryDocuments = new HazelcastRegistryDocuments(hazelcast);
                RegistryAccess access = auth == null ? RegistryAccess.ANONYMOUS
                        : PolicyAccessControl.create(vertx, auth, auth.tokenKey() != null ? auth.tokenKey()
                                : registryDocuments.sharedTokenKey(), pullThrough, registryDocuments,
                                registryDocuments);
                EdgeNode node = await(EdgeNode.start(vertx, config, pullThrough, access, meters));
                HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                                .setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
                        new PoolOptions().setHttp1MaxSize(64));
                return new EdgeHarness(vertx, dir, blobStore, hazelcast, metadata, events, counts, upstreamHttp, node,
                        client, clock, meters, pullThrough, registryDocuments);
            } catch (IOException | RuntimeException e) {
                if (hazelcast != null) {
                    hazelcast.shutdown();
                }
                vertx.close();
                deleteTree(dir);
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
        }
    }

    public Vertx vertx() {
        return vertx;
    }

    public int port() {
        return node.port();
    }

    /** {@code 127.0.0.1:PORT}, as skopeo references want it. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    public FileSystemBlobStore blobStore() {
        return blobStore;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    /** Where the registry policy (and the shared token key) live. */
    public HazelcastRegistryDocuments registryDocuments() {
        return registryDocuments;
    }

    /** Every event the node published so far. */
    public List<RegistryEvent> events() {
        return List.copyOf(events);
    }

    /**
     * The first event that {@code matching} accepts, waiting for it (events travel the event bus
     * after the response may have gone) up to {@link #TIMEOUT}.
     */
    public RegistryEvent awaitEvent(String what, Predicate<RegistryEvent> matching) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<RegistryEvent> found = events.stream().filter(matching).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new AssertionError("no " + what + " event within " + TIMEOUT + "; events: " + events);
    }

    public CountingUpstreamClient.Counts upstreamCalls() {
        return counts;
    }

    /** The node's pull-through cache, whose rules a test may replace as the cluster's control maps would. */
    public PullThrough pullThrough() {
        return pullThrough;
    }

    /** The registry the node's meters are in. */
    public MeterRegistry meters() {
        return meters;
    }

    public MutableClock clock() {
        return clock;
    }

    /** The HTTP client the harness talks to the node with (default host and port set). */
    public HttpClient client() {
        return client;
    }

    /**
     * Waits until no fill of {@code digest} runs any more: a client following a fill has its bytes
     * once they are verified, possibly before the store has committed them.
     */
    public void awaitFill(Digest digest) {
        await(pullThrough.blobs().idle(digest));
    }

    /** Waits up to {@link #TIMEOUT} until an upload in the blob store's upload directory holds {@code bytes} or more. */
    public void awaitSpooled(long bytes) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (Path upload : uploadsLeft()) {
                if (upload.toFile().length() >= bytes) {
                    return;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new AssertionError("no upload reached " + bytes + " bytes within " + TIMEOUT + ": " + uploadsLeft());
    }

    /** Files left in the blob store's upload directory (writers that were neither committed nor cancelled). */
    public List<Path> uploadsLeft() {
        try (Stream<Path> files = Files.list(blobStore.uploadsDirectory())) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET path} with headers given as name, value, name, value... */
    public RegistryResponse get(String path, String... headers) {
        return await(send(HttpMethod.GET, path, headers));
    }

    public RegistryResponse head(String path, String... headers) {
        return await(send(HttpMethod.HEAD, path, headers));
    }

    public RegistryResponse request(HttpMethod method, String path, String... headers) {
        return await(send(method, path, headers));
    }

    /** {@code POST path} with an {@code application/x-www-form-urlencoded} body. */
    public RegistryResponse postForm(String path, String form) {
        return await(client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                        .putHeader("Content-Type", "application/x-www-form-urlencoded").setIdleTimeout(TIMEOUT.toMillis()))
                .compose(request -> request.send(form)
                        .compose(response -> response.body()
                                .map(body -> new RegistryResponse(response.statusCode(), response.headers(), body)))));
    }

    /** Sends a request and reads the whole answer; fails when the connection breaks first. */
    public Future<RegistryResponse> send(HttpMethod method, String path, String... headers) {
        MultiMap map = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            map.add(headers[i], headers[i + 1]);
        }
        return client.request(new RequestOptions().setMethod(method).setURI(path).setHeaders(map)
                        .setIdleTimeout(TIMEOUT.toMillis()))
                .compose(request -> request.send()
                        .compose(response -> response.body()
                                .map(body -> new RegistryResponse(response.statusCode(), response.headers(), body))));
    }

    @Override
    public void close() {
        try {
            await(client.close());
            await(node.close());
            await(upstreamHttp.close());
        } finally {
            hazelcast.shutdown();
            await(vertx.close());
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files left behind are harmless
        }
    }
}
