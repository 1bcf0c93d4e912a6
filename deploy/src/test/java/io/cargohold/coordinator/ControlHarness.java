package io.cargohold.coordinator;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.cache.ClusterControl;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.Upstreams;
import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.LimitsConfig;
import io.cargohold.config.UpstreamTls;
import io.cargohold.coordinator.api.AdminAccess;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.coordinator.console.Console;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.edge.EdgeNode;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.spi.DocumentStore;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.store.fs.FileSystemDocumentStore;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.cargohold.testkit.Await.await;

/**
 * One Cargohold node in this JVM for control-plane tests, wired as {@code Node} wires standalone:
 * a Hazelcast member with the durable metadata and control maps, the pull-through cache with real
 * upstream clients and rule credentials, the rules and templates following the cluster, the
 * registry API, and the console and control API on its own admin port. Its audit and registry events are
 * recorded.
 */
public final class ControlHarness implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final MetadataStore metadata;
    private final List<RegistryEvent> events;
    private final EdgeNode edge;
    private final HttpServer admin;
    private final ClusterControl control;
    private final HttpClient upstreamHttp;

    private ControlHarness(Vertx vertx, HazelcastInstance hazelcast, MetadataStore metadata, List<RegistryEvent> events,
                           EdgeNode edge, HttpServer admin, ClusterControl control, HttpClient upstreamHttp) {
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.metadata = metadata;
        this.events = events;
        this.edge = edge;
        this.admin = admin;
        this.control = control;
        this.upstreamHttp = upstreamHttp;
    }

    /** A single node with its own member; {@code configRules} as if from its config file. */
    public static ControlHarness standalone(Path dir, List<CacheRule> configRules) {
        return start(dir, HazelcastMembers.standaloneConfig(), configRules, null);
    }

    /** A single node whose control API is open to the admins of {@code auth} only. */
    public static ControlHarness standalone(Path dir, CargoholdConfig.AuthConfig auth) {
        return start(dir, HazelcastMembers.standaloneConfig(), List.of(), auth);
    }

    /** A node whose member joins {@code members} (127.0.0.1:port each) as cluster {@code name}. */
    public static ControlHarness member(Path dir, String name, int port, List<String> members,
                                        List<CacheRule> configRules) {
        Config config = HazelcastMembers.clusterConfig(name, HazelcastMembers.LOOPBACK, port, members);
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        return start(dir, config, configRules, null);
    }

    /** {@code dir} holds blobs and metadata documents; members of one cluster share it. */
    private static ControlHarness start(Path dir, Config member, List<CacheRule> configRules,
                                        CargoholdConfig.AuthConfig auth) {
        Vertx vertx = Vertx.vertx();
        try {
            FileSystemBlobStore blobs = new FileSystemBlobStore(vertx, dir.resolve("blobs"));
            await(blobs.initialize());
            DocumentStore documents = new FileSystemDocumentStore(dir.resolve("metadata"));
            HazelcastInstance hazelcast = await(HazelcastMembers.start(vertx,
                    HazelcastMembers.withDurableMaps(member, documents)));
            MetadataStore metadata = await(HazelcastMetadataStore.open(vertx, hazelcast));
            String address = "cargohold.events.test." + UUID.randomUUID();
            List<RegistryEvent> events = new CopyOnWriteArrayList<>();
            await(vertx.eventBus().<JsonObject>localConsumer(address,
                    message -> events.add(RegistryEvent.fromJson(message.body()))).completion());
            LocalEventPublisher publisher = new LocalEventPublisher(vertx, address);
            HttpClient upstreamHttp = vertx.createHttpClient();
            Upstreams upstreams = new Upstreams(rule -> new HttpUpstreamClient(vertx, upstreamHttp, rule.upstreamUri(),
                    RuleCredentials.provider(vertx, rule)));
            CargoholdConfig config = new CargoholdConfig(new CargoholdConfig.Endpoint("127.0.0.1", 0), null, null,
                    null, null, null, configRules, new LimitsConfig(null, null));
            PullThrough cache = PullThrough.create(config, new PullThrough.Dependencies(blobs, metadata,
                    new HazelcastFetchLeases(vertx, hazelcast), publisher, upstreams), "control-test", Clock.systemUTC());
            ClusterControl control = ClusterControl.follow(hazelcast, configRules, cache);
            EdgeNode edge = await(EdgeNode.start(vertx, config, cache, RegistryAccess.ANONYMOUS, new SimpleMeterRegistry()));
            Router router = Router.router(vertx);
            AdminAccess.of(vertx, auth).protect(router);
            Console.mount(vertx, router, new NodeStatsBoard(vertx, hazelcast), metadata, () -> cache.rules().rules());
            ControlApi.mount(router, new ControlApi.Dependencies(vertx, hazelcast, cache, configRules, publisher,
                    "control-test", new CargoholdConfig.AuthConfig(true, null, null, null, null, null, null, null,
                            null, null).authorizer(), UpstreamTls.NONE));
            HttpServer admin = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
            return new ControlHarness(vertx, hazelcast, metadata, events, edge, admin, control, upstreamHttp);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** The control API's base URL, {@code http://127.0.0.1:PORT}. */
    public String adminUrl() {
        return "http://127.0.0.1:" + admin.actualPort();
    }

    /** {@code 127.0.0.1:PORT} of the registry API. */
    public String registry() {
        return "127.0.0.1:" + edge.port();
    }

    public MetadataStore metadata() {
        return metadata;
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** Every audit event so far, in order. */
    public List<JsonObject> audits() {
        return events.stream().filter(event -> RegistryEvent.AUDIT.equals(event.type()))
                .map(event -> new JsonObject(event.detail())).toList();
    }

    /** A control API call; {@code body} may be null. */
    public ApiAnswer call(String method, String path, Object body) {
        return send(adminUrl() + "/api/v1" + path, method, body);
    }

    /** A registry API GET, such as {@code /v2/up/library/app/manifests/1}. */
    public ApiAnswer registryGet(String path) {
        return send("http://" + registry() + path, "GET", null);
    }

    private static ApiAnswer send(String url, String method, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new ApiAnswer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A status and its body. */
    public record ApiAnswer(int status, String body) {

        public JsonObject json() {
            return new JsonObject(body);
        }

        /** The first error of a JSON error answer. */
        public JsonObject error() {
            return json().getJsonArray("errors").getJsonObject(0);
        }
    }

    @Override
    public void close() {
        try {
            control.close();
            await(admin.close());
            await(edge.close());
            await(upstreamHttp.close());
        } finally {
            hazelcast.shutdown();
            await(vertx.close());
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
