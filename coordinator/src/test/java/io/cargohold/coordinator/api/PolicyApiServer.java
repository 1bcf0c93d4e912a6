package io.cargohold.coordinator.api;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.cargohold.testkit.Await.await;

/**
 * The policy routes of the control API on a real HTTP server on 127.0.0.1, over a Hazelcast member's metadata and registry maps, its
 * events recorded; requests go through the JDK's HTTP client.
 */
final class PolicyApiServer implements AutoCloseable {

    static final String ACCOUNT = "123456789012";

    private final Vertx vertx = Vertx.vertx();
    private final HazelcastInstance hazelcast;
    private final MetadataStore metadata;
    private final HazelcastRegistryDocuments registry;
    private final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    PolicyApiServer() {
        hazelcast = await(HazelcastMembers.start(vertx,
                HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig())));
        metadata = new HazelcastMetadataStore(vertx, hazelcast);
        registry = new HazelcastRegistryDocuments(hazelcast);
        String address = "cargohold.events.test." + UUID.randomUUID();
        await(vertx.eventBus().<JsonObject>localConsumer(address,
                message -> events.add(RegistryEvent.fromJson(message.body()))).completion());
        CargoholdConfig.AuthConfig auth = new CargoholdConfig.AuthConfig(true, null, ACCOUNT, "us-east-1", null,
                null, null, null, null, null);
        PolicyApi api = new PolicyApi(metadata, registry, auth.authorizer(),
                new AuditLog(new LocalEventPublisher(vertx, address), "coordinator-test"), AdminAccess::caller);
        Router routes = Router.router(vertx);
        routes.route().handler(BodyHandler.create());
        api.mount(routes);
        routes.route().failureHandler(ApiResponses::failure);
        Router router = Router.router(vertx);
        router.route(ControlApi.BASE + "/*").subRouter(routes);
        server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    }

    MetadataStore metadata() {
        return metadata;
    }

    HazelcastRegistryDocuments registry() {
        return registry;
    }

    List<RegistryEvent> events() {
        return List.copyOf(events);
    }

    /** The audit events so far (they travel the event bus; waits briefly for {@code count} of them). */
    List<RegistryEvent> audits(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && audits().size() < count) {
            Thread.onSpinWait();
        }
        return audits();
    }

    List<RegistryEvent> audits() {
        return events.stream().filter(e -> e.type().equals(RegistryEvent.AUDIT)).toList();
    }

    HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            await(server.close());
        } finally {
            hazelcast.shutdown();
            await(vertx.close());
        }
    }
}
