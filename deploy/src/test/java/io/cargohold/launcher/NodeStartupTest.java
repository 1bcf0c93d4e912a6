package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.StorageConfig;
import io.cargohold.testkit.S3Server;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole node starting in this JVM on a real S3-compatible server whose connections a gate holds
 * back: the admin endpoint answers from the start and says what start-up waits for, and the node
 * starts once the storage answers, however long that took.
 */
class NodeStartupTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Vertx gateVertx = Vertx.vertx();
    private final Promise<Void> storageAnswers = Promise.promise();
    private S3Server s3;
    private NetServer gate;

    @BeforeEach
    void startHeldBackStorage() throws Exception {
        s3 = S3Server.inMemory();
        gate = await(gateVertx.createNetServer().connectHandler(client -> {
            client.pause();
            storageAnswers.future()
                    .compose(v -> gateVertx.createNetClient().connect(s3.port(), "127.0.0.1"))
                    .onSuccess(server -> {
                        client.pipeTo(server);
                        server.pipeTo(client);
                        client.resume();
                    })
                    .onFailure(e -> client.close());
        }).listen(0, "127.0.0.1"));
    }

    @AfterEach
    void stop() throws Exception {
        storageAnswers.tryComplete();
        await(gateVertx.close());
        s3.close();
    }

    @Test
    void start_storageHeldBack_healthzAnswersAndReadyzSaysWhatItWaitsForUntilReady() throws Exception {
        Node node = new Node(Role.STANDALONE, config());
        try {
            node.startAdmin();
            CompletableFuture<Void> starting = CompletableFuture.runAsync(node::startParts);

            awaitAnswer(node, "/readyz", "starting: opening storage\n");
            assertThat(get(node, "/readyz").statusCode()).isEqualTo(503);
            HttpResponse<String> health = get(node, "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            assertThat(get(node, "/metrics").body()).contains("cargohold_metadata_load_documents{state=\"total\"} 0.0");
            HttpResponse<String> control = get(node, "/api/v1/rules");
            assertThat(control.statusCode()).isEqualTo(503);
            assertThat(control.body()).isEqualTo("starting: opening storage\n");
            assertThat(starting).isNotDone();

            storageAnswers.complete();

            starting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            HttpResponse<String> ready = get(node, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            assertThat(get(node, "/api/v1/rules").statusCode()).isEqualTo(200);
            assertThat(get(node, "/metrics").body()).contains("cargohold_metadata_documents_skipped_total 0.0");
        } finally {
            node.close();
        }
    }

    private CargoholdConfig config() {
        StorageConfig storage = new StorageConfig("s3", dir.toString(), "http://127.0.0.1:" + gate.actualPort(),
                S3Server.REGION, "held", S3Server.ACCESS_KEY, S3Server.SECRET_KEY, false, null, null);
        CargoholdConfig.Endpoint anyPort = new CargoholdConfig.Endpoint("127.0.0.1", 0);
        return new CargoholdConfig(anyPort, anyPort, storage, null, null, null, List.of(), null);
    }

    private static void awaitAnswer(Node node, String path, String body) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!get(node, path).body().equals(body) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        assertThat(get(node, path).body()).isEqualTo(body);
    }

    private static HttpResponse<String> get(Node node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
