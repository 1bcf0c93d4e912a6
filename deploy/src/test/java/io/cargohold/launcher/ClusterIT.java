package io.cargohold.launcher;

import io.cargohold.events.kafka.KafkaEventPublisher;
import io.cargohold.events.kafka.KafkaTopics;
import io.cargohold.events.kafka.RegistryEventCodec;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.KafkaBroker;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.ThrottlingProxy;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster of issue 4, every part real: a Kafka KRaft broker and an S3-compatible server in this
 * JVM, CNCF distribution as the upstream, and three edge nodes and a refresher as child processes
 * of the assembled jar forming one Hazelcast cluster over 127.0.0.1. The tests run in order on one
 * cluster: concurrent pulls, their events, a blob streamed across edges through a crash of the
 * edge fetching it, Kafka down, and last a full
 * restart onto the same object storage with the upstream gone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final int EDGES = 3;
    private static final int PULLS = 20;
    private static final long BIG_LAYER = 48L << 20;
    private static final long THROTTLE_BYTES_PER_SECOND = 15_000_000;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;

    private static KafkaBroker kafka;
    private static S3Server s3;
    private static UpstreamRegistry upstream;
    private static ThrottlingProxy slowUpstream;
    private static KafkaTopics topics;
    private static String clusterName;
    private static TestImages.Image app;
    private static TestImages.Image big;
    private static TestImages.Image during;
    private static TestImages.Image after;
    private static final int[] httpPorts = new int[EDGES + 1];
    private static final int[] adminPorts = new int[EDGES + 1];
    private static final int[] memberPorts = new int[EDGES + 1];
    private static final List<CargoholdProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        Path layout = dir.resolve("layout");
        app = TestImages.writeImage(layout, "app", 41, 900_000, 1_700_000, 300_000);
        big = TestImages.writeImage(layout, "big", 42, BIG_LAYER);
        during = TestImages.writeImage(layout, "during", 43, 200_000);
        after = TestImages.writeImage(layout, "after", 44, 100_000);
        kafka = KafkaBroker.start();
        s3 = S3Server.onDisk(Files.createDirectories(dir.resolve("s3")));
        upstream = UpstreamRegistry.anonymous();
        upstream.push(app, "library/app:1");
        upstream.push(big, "library/big:1");
        upstream.push(during, "library/during:1");
        upstream.push(after, "library/after:1");
        slowUpstream = ThrottlingProxy.start(upstream.port(), THROTTLE_BYTES_PER_SECOND);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        topics = new KafkaTopics("pulls-" + suffix, "misses-" + suffix, "images-" + suffix, "audit-" + suffix);
        kafka.createTopics(3, topics.all());
        clusterName = "cluster-it-" + suffix;
        for (int i = 0; i <= EDGES; i++) {
            httpPorts[i] = CargoholdProcess.freePort();
            adminPorts[i] = CargoholdProcess.freePort();
            memberPorts[i] = CargoholdProcess.freePort();
        }
        startNodes();
    }

    @AfterAll
    static void stopAll() {
        nodes.forEach(CargoholdProcess::close);
        for (AutoCloseable part : new AutoCloseable[] {slowUpstream, upstream, s3, kafka}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception ignored) {
                // the next part still has to stop
            }
        }
    }

    @Test
    @Order(1)
    void skopeoPulls_twentyAtOnceOverThreeEdges_allMatchAndOneUpstreamGetPerBlobAndManifest() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PULLS);
        try {
            List<CompletableFuture<Path>> pulls = IntStream.range(0, PULLS).mapToObj(i -> CompletableFuture.supplyAsync(
                    () -> pull(i % EDGES, "library/app:1", "pull-" + i), pool)).toList();
            for (CompletableFuture<Path> pull : pulls) {
                assertImage(pull.get(), app);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(upstream.requests("GET", "/v2/library/app/manifests/.*")).as(upstream.accessLog().toString())
                .isEqualTo(1);
        double upstreamBlobGets = 0;
        for (int node = 0; node <= EDGES; node++) {
            HttpResponse<String> ready = admin(node - 1, "/readyz");
            assertThat(ready.statusCode()).as("node %d ready: %s", node, ready.body()).isEqualTo(200);
            upstreamBlobGets += S3StandaloneIT.sample(admin(node - 1, "/metrics").body(),
                    "cargohold_upstream_requests_seconds_count", "upstream", upstream.hostPort(),
                    "operation", "blob.get", "status", "200");
        }
        assertThat(upstreamBlobGets).as("upstream blob GETs the cluster's nodes counted")
                .isEqualTo(app.blobs().size());
        for (Descriptor blob : app.blobs()) {
            assertThat(upstream.requests("GET", "/v2/library/app/blobs/" + blob.digest().value()))
                    .as("upstream GETs of %s", blob.digest()).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void events_ofThosePulls_readBackFromKafkaMatchWhatHappened() {
        List<RegistryEvent> pulls = awaitEvents(topics.pulls(), "up/library/app", PULLS);
        List<RegistryEvent> misses = awaitEvents(topics.cacheMisses(), "up/library/app", 1 + app.blobs().size());
        List<RegistryEvent> cached = awaitEvents(topics.images(), "up/library/app", 1);

        assertThat(pulls).hasSize(PULLS).allSatisfy(event -> {
            assertThat(event.type()).isEqualTo(RegistryEvent.PULL);
            assertThat(event.tag()).isEqualTo("1");
            assertThat(event.digest()).isEqualTo(app.digest().value());
        });
        assertThat(pulls.stream().map(RegistryEvent::node).distinct()).as("pulls served by every edge")
                .hasSize(EDGES);
        assertThat(misses).allSatisfy(event -> assertThat(event.type()).isEqualTo(RegistryEvent.CACHE_MISS));
        assertThat(misses.stream().filter(event -> event.digest() != null).map(RegistryEvent::digest))
                .as("one miss per blob").containsExactlyInAnyOrderElementsOf(
                        app.blobs().stream().map(blob -> blob.digest().value()).toList());
        assertThat(misses.stream().filter(event -> "1".equals(event.tag()))).as("one miss of the tag").hasSize(1);
        assertThat(cached).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(RegistryEvent.IMAGE_CACHED);
            assertThat(event.digest()).isEqualTo(app.digest().value());
        });
    }

    /**
     * Edge A fetches a large layer through the slow upstream; a client of edge B asking for it a
     * second later is served A's bytes as they arrive (relayed from A's spool), and when A is
     * killed mid-blob B goes on from the byte it reached with its own (Range) fetch.
     */
    @Test
    @Order(3)
    void blobGet_anotherEdgeFetchingIt_streamsAtOnceAndSurvivesThatEdgesCrash() throws Exception {
        Descriptor layer = big.layers().get(0);
        String path = "/v2/slow/library/big/blobs/" + layer.digest();
        HttpResponse<InputStream> first = HTTP.send(HttpRequest.newBuilder(edgeUri(0, path))
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        try (InputStream onA = first.body()) {
            assertThat(onA.readNBytes(4 << 20).length).as("edge A is fetching").isEqualTo(4 << 20);
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());

            long asked = System.nanoTime();
            HttpResponse<InputStream> second = HTTP.send(HttpRequest.newBuilder(edgeUri(1, path))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValueAsLong("Content-Length")).hasValue(layer.size());
            MessageDigest hasher = Digest.sha256Hasher();
            long received = 0;
            try (InputStream onB = second.body()) {
                byte[] chunk = new byte[1 << 16];
                int read = onB.read(chunk);
                Duration firstByte = Duration.ofNanos(System.nanoTime() - asked);
                assertThat(firstByte).as("time to the first byte on edge B").isLessThan(Duration.ofSeconds(2));
                for (; read > 0; read = onB.read(chunk)) {
                    hasher.update(chunk, 0, read);
                    received += read;
                    if (received >= (12 << 20) && nodes.get(1).isAlive()) {
                        nodes.get(1).kill();
                    }
                }
            }
            assertThat(nodes.get(1).isAlive()).as("edge A was killed mid-blob").isFalse();
            assertThat(received).isEqualTo(layer.size());
            assertThat(Digest.of(hasher)).as("what edge B's client received").isEqualTo(layer.digest());
        }

        assertThat(download(edgeUri(2, path))).as("stored once, served by any edge").isEqualTo(layer.digest());
        assertThat(upstream.requests("GET", "/v2/library/big/blobs/" + layer.digest().value()))
                .as("edge A's fetch and edge B's continuation").isEqualTo(2);
        String peerPath = "/internal/v1/fills/" + layer.digest();
        assertThat(HTTP.send(HttpRequest.newBuilder(edgeUri(2, peerPath)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("an edge's fills without the cluster's key").isEqualTo(403);
        assertThat(admin(-1, peerPath).statusCode()).as("the refresher's fills, on its admin port, without the key")
                .isEqualTo(403);
    }

    @Test
    @Order(4)
    void pulls_kafkaStopped_succeedAndCountDroppedEventsThenEventsFlowAgain() throws Exception {
        double droppedBefore = droppedEvents(2);
        kafka.stopBroker();
        try {
            assertImage(pull(1, "library/app:1", "kafka-down-hit"), app);
            assertImage(pull(2, "library/during:1", "kafka-down-miss"), during);
            awaitTrue("the dropped-event metric of edge-2 to rise", () -> droppedEvents(2) > droppedBefore);
            awaitTrue("edge-2 to report Kafka unreachable on /readyz", () -> {
                HttpResponse<String> ready = admin(2, "/readyz");
                return ready.statusCode() == 503 && ready.body().contains("Kafka producer");
            });
        } finally {
            kafka.startBroker();
        }
        awaitTrue("edge-2 to be ready again", () -> admin(2, "/readyz").statusCode() == 200);

        assertImage(pull(2, "library/after:1", "kafka-back"), after);
        assertThat(awaitEvents(topics.pulls(), "up/library/after", 1)).singleElement()
                .satisfies(event -> assertThat(event.digest()).isEqualTo(after.digest().value()));
    }

    @Test
    @Order(5)
    void pulls_wholeClusterRestartedWithUpstreamGone_everyCachedImageStillPulls() throws Exception {
        nodes.forEach(CargoholdProcess::close);
        nodes.clear();
        upstream.close();
        startNodes();

        assertImage(pull(0, "library/app:1", "restarted-app"), app);
        assertImage(pull(1, "library/during:1", "restarted-during"), during);
        assertImage(pull(2, "library/after:1", "restarted-after"), after);
        assertThat(download(edgeUri(0, "/v2/slow/library/big/blobs/" + big.layers().get(0).digest())))
                .isEqualTo(big.layers().get(0).digest());
    }

    /** Node 0 is the refresher; nodes 1 to 3 are the edges. */
    private static void startNodes() throws Exception {
        List<CompletableFuture<CargoholdProcess>> starting = new ArrayList<>();
        for (int i = 0; i <= EDGES; i++) {
            int node = i;
            String role = node == 0 ? "refresher" : "edge";
            String name = node == 0 ? "refresher" : "edge-" + node;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return CargoholdProcess.start(dir, role, name, httpPorts[node], config(node), "-Xmx320m");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        // Every node that started is kept for stopping, even when another failed to start.
        Exception failed = null;
        for (CompletableFuture<CargoholdProcess> node : starting) {
            try {
                nodes.add(node.get());
            } catch (Exception e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private static String config(int node) {
        StringBuilder members = new StringBuilder();
        for (int port : memberPorts) {
            members.append(members.isEmpty() ? "" : ", ").append("'127.0.0.1:").append(port).append('\'');
        }
        return "http: { host: 127.0.0.1, port: " + httpPorts[node] + " }\n"
                + "admin: { host: 127.0.0.1, port: " + adminPorts[node] + " }\n"
                + "storage: { type: s3, path: '" + dir.resolve("node-" + node) + "', endpoint: '" + s3.endpoint()
                + "', bucket: cargohold, accessKey: " + S3Server.ACCESS_KEY + ", secretKey: " + S3Server.SECRET_KEY
                + (node == 0 ? "" : ", localTier: { path: '" + dir.resolve("tier-" + node) + "', maxSize: 64MiB }")
                + " }\n"
                + "cluster: { name: " + clusterName + ", port: " + memberPorts[node] + ", members: [" + members + "] }\n"
                + "kafka: { bootstrapServers: '" + kafka.bootstrapServers() + "', topics: { pulls: " + topics.pulls()
                + ", cacheMisses: " + topics.cacheMisses() + ", images: " + topics.images() + ", audit: "
                + topics.audit() + " } }\n"
                + "rules:\n"
                + "  - { prefix: up, upstreamUrl: '" + upstream.url() + "' }\n"
                + "  - { prefix: slow, upstreamUrl: '" + slowUpstream.url() + "' }\n";
    }

    /** {@code skopeo copy} of {@code up/<image>} through edge {@code edge} (0 to 2) into a new directory. */
    private static Path pull(int edge, String image, String into) {
        Path out = dir.resolve(into);
        try {
            Skopeo.copy("docker://127.0.0.1:" + httpPorts[edge + 1] + "/up/" + image, "dir:" + out,
                    "--src-tls-verify=false");
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nwarnings of edge-" + (edge + 1) + ":\n"
                    + nodes.get(edge + 1).problems(8), e);
        }
        return out;
    }

    private static URI edgeUri(int edge, String path) {
        return URI.create("http://127.0.0.1:" + httpPorts[edge + 1] + path);
    }

    private static void assertImage(Path out, TestImages.Image image) throws IOException {
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
        for (Descriptor blob : image.blobs()) {
            assertThat(PullThroughIT.sha256(out.resolve(blob.digest().hex()))).isEqualTo(blob.digest());
        }
    }

    private static Digest download(URI uri) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
        MessageDigest hasher = Digest.sha256Hasher();
        try (InputStream body = response.body()) {
            byte[] chunk = new byte[1 << 16];
            for (int read; (read = body.read(chunk)) > 0; ) {
                hasher.update(chunk, 0, read);
            }
        }
        return Digest.of(hasher);
    }

    /** The events of one repository in a topic, once at least {@code count} arrived (or the wait ran out). */
    private static List<RegistryEvent> awaitEvents(String topic, String repository, int count) {
        List<RegistryEvent> events = new ArrayList<>();
        awaitTrue(count + " events of " + repository + " in " + topic, () -> {
            events.clear();
            kafka.readAll(topic).stream()
                    .filter(record -> repository.equals(record.key()))
                    .map(record -> RegistryEventCodec.decode(record.value()))
                    .forEach(events::add);
            return events.size() >= count;
        });
        return events;
    }

    /** GET on the admin endpoint of edge {@code edge} (0 to 2; -1 is the refresher). */
    private static HttpResponse<String> admin(int edge, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts[edge + 1] + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of {@code cargohold_events_dropped_total} on an edge's admin endpoint. */
    private static double droppedEvents(int edge) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts[edge + 1]
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            String name = KafkaEventPublisher.DROPPED_METER.replace('.', '_') + "_total";
            return metrics.lines().filter(line -> line.startsWith(name))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }
}
