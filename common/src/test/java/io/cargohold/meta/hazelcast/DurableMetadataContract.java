package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.DocumentStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.StoragePage;
import io.cargohold.spi.TagMutability;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Metadata maps made durable in a document store, on real Hazelcast members: every acknowledged
 * write is in the store, and a fresh cluster started on the same store, after every member has
 * stopped, answers everything that was written, listings included. Each subclass gives a document
 * store; the same store (an object for in-memory stores, a directory or bucket for real ones)
 * outlives the members.
 */
@ExtendWith(VertxExtension.class)
abstract class DurableMetadataContract {

    private static final String APP = "up/library/app";
    private static final String TOOLS = "hub/tools";
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    private static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final String DIGEST_A = "sha256:" + "a".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);
    private static final String DIGEST_C = "sha256:" + "c".repeat(64);
    private static final int WRITES_IN_FLIGHT = 256;

    private final List<HazelcastInstance> members = new ArrayList<>();
    private OutageDocumentStore documents;

    /** A new, empty document store; called once per test. */
    protected abstract DocumentStore newDocumentStore() throws Exception;

    @BeforeEach
    void createDocumentStore() throws Exception {
        documents = new OutageDocumentStore(newDocumentStore());
    }

    @AfterEach
    void stopMembers() throws Exception {
        stopAll();
        closeDocumentStore();
    }

    /** Releases what {@link #newDocumentStore()} opened, once no member uses it. */
    protected void closeDocumentStore() throws Exception {
    }

    @Test
    void fullRestart_freshMember_answersEverythingWritten(Vertx vertx) {
        Written written = writeSample(open(vertx, startStandalone()));
        stopAll();

        assertAnswers(open(vertx, startStandalone()), written);
    }

    @Test
    void fullRestart_ofATwoMemberCluster_freshTwoMemberClusterAnswersEverythingOnEachMember(Vertx vertx) {
        List<HazelcastInstance> first = startCluster(2);
        Written written = writeSample(open(vertx, first.get(1)));
        stopAll();

        List<HazelcastInstance> second = startCluster(2);
        assertAnswers(open(vertx, second.get(0)), written);
        assertAnswers(open(vertx, second.get(1)), written);
    }

    @Test
    void writes_acknowledged_areAlreadyDocumentsInTheStore(Vertx vertx) {
        HazelcastMetadataStore store = open(vertx, startStandalone());
        Repository repository = repository(APP, 1);
        TagRecord tag = new TagRecord(APP, "1.0", DIGEST_A, 5);
        ManifestRecord manifest = manifest(APP, DIGEST_A, MANIFEST_TYPE, bytes("{\"schemaVersion\":2}"));

        await(store.createRepositoryIfAbsent(repository));
        await(store.putManifest(manifest));
        await(store.putTag(tag));

        assertThat(document(MetadataDocuments.repositoryKey(APP), MetadataDocuments.REPOSITORY_CODEC::decode))
                .contains(repository);
        assertThat(document(MetadataDocuments.tagKey(APP, "1.0"), MetadataDocuments.TAG_CODEC::decode))
                .contains(tag);
        assertThat(document(MetadataDocuments.manifestKey(APP, DIGEST_A), MetadataDocuments.MANIFEST_CODEC::decode))
                .get().usingRecursiveComparison().isEqualTo(manifest);
    }

    @Test
    void putManifest_documentStoreFails_failsAndIsNotVisible(Vertx vertx) {
        HazelcastMetadataStore store = open(vertx, startStandalone());
        documents.failPuts(true);

        assertThatThrownBy(() -> await(store.putManifest(manifest(APP, DIGEST_A, MANIFEST_TYPE, bytes("{}")))))
                .hasMessageContaining("storage unavailable");

        documents.failPuts(false);
        assertThat(await(store.manifest(APP, DIGEST_A))).isEmpty();
        assertThat(documents.keys(MetadataDocuments.MANIFESTS_PREFIX)).isEmpty();
    }

    @Test
    void putTag_documentStoreFails_failsAndKeepsThePreviousRecord(Vertx vertx) {
        HazelcastMetadataStore store = open(vertx, startStandalone());
        TagRecord stored = new TagRecord(APP, "latest", DIGEST_A, 1);
        await(store.putTag(stored));
        documents.failPuts(true);

        assertThatThrownBy(() -> await(store.putTag(new TagRecord(APP, "latest", DIGEST_B, 2))))
                .hasMessageContaining("storage unavailable");
        assertThatThrownBy(() -> await(store.putTag(new TagRecord(APP, "new", DIGEST_B, 2))))
                .hasMessageContaining("storage unavailable");

        documents.failPuts(false);
        assertThat(await(store.tag(APP, "latest"))).contains(stored);
        assertThat(await(store.tags(APP))).containsExactly("latest");
    }

    @Test
    void createRepositoryIfAbsent_documentStoreFails_failsAndIsNotVisible(Vertx vertx) {
        HazelcastMetadataStore store = open(vertx, startStandalone());
        documents.failPuts(true);

        assertThatThrownBy(() -> await(store.createRepositoryIfAbsent(repository(APP, 1))))
                .hasMessageContaining("storage unavailable");

        documents.failPuts(false);
        assertThat(await(store.repository(APP))).isEmpty();
        assertThat(await(store.repositoryNames(null, 100))).isEmpty();
    }

    @Test
    void manifest_storedAfterTheClusterLoaded_isReadThroughOnAMiss(Vertx vertx) {
        HazelcastMetadataStore store = open(vertx, startStandalone());
        ManifestRecord manifest = manifest(APP, DIGEST_B, MANIFEST_TYPE, bytes("{\"late\":true}"));
        documents.put(MetadataDocuments.manifestKey(APP, DIGEST_B), MetadataDocuments.MANIFEST_CODEC.encode(manifest));

        assertThat(await(store.manifest(APP, DIGEST_B))).get().usingRecursiveComparison().isEqualTo(manifest);
    }

    @Test
    void settingsListingsAndDeletes_surviveAFullRestart(Vertx vertx) {
        MetadataStore store = open(vertx, startStandalone());
        Repository app = repository(APP, 1).withSettings(new RepositorySettings(TagMutability.IMMUTABLE,
                "mirrored nginx", Map.of("team", "platform"), "{\"rules\":[]}", "{\"Version\":\"2012-10-17\"}"));
        await(store.createRepositoryIfAbsent(repository(APP, 1)));
        await(store.putRepository(app));
        await(store.putManifest(manifest(APP, DIGEST_A, MANIFEST_TYPE, bytes("{\"a\":1}"))));
        await(store.putManifest(manifest(APP, DIGEST_B, MANIFEST_TYPE, bytes("{\"b\":1}"))));
        await(store.putTag(new TagRecord(APP, "2", DIGEST_A, 7, DIGEST_B)));
        await(store.putTag(new TagRecord(APP, "1", DIGEST_B, 7)));
        await(store.deleteManifest(APP, DIGEST_B));
        await(store.deleteTag(APP, "1"));
        await(store.deleteTag(APP, "never-was"));
        stopAll();

        MetadataStore restarted = open(vertx, startStandalone());
        assertThat(await(restarted.repository(APP))).contains(app);
        assertThat(await(restarted.manifests(APP))).extracting(ManifestRecord::digest).containsExactly(DIGEST_A);
        assertThat(await(restarted.tagRecords(APP))).containsExactly(new TagRecord(APP, "2", DIGEST_A, 7, DIGEST_B));
        assertThat(documents.keys(MetadataDocuments.TAGS_PREFIX)).containsExactly(MetadataDocuments.tagKey(APP, "2"));
        assertThat(documents.keys(MetadataDocuments.MANIFESTS_PREFIX))
                .containsExactly(MetadataDocuments.manifestKey(APP, DIGEST_A));
    }

    @Test
    void deleteRepository_goneFromListingsAndDocuments_andAfterAFullRestart(Vertx vertx) {
        MetadataStore store = open(vertx, startStandalone());
        await(store.createRepositoryIfAbsent(repository(APP, 1)));
        await(store.createRepositoryIfAbsent(repository("up/library/kept", 2)));
        await(store.deleteRepository(APP));
        await(store.deleteRepository("up/never-was"));

        assertThat(await(store.repository(APP))).isEmpty();
        assertThat(await(store.repositoryNames(null, 10))).containsExactly("up/library/kept");
        assertThat(documents.keys(MetadataDocuments.REPOSITORIES_PREFIX))
                .containsExactly(MetadataDocuments.repositoryKey("up/library/kept"));
        stopAll();

        MetadataStore restarted = open(vertx, startStandalone());
        assertThat(await(restarted.repository(APP))).isEmpty();
        assertThat(await(restarted.repositoryNames(null, 10))).containsExactly("up/library/kept");
    }

    @Test
    void fullRestart_withUnreadableDocuments_skipsEachAndAnswersEverythingElse(Vertx vertx) {
        Written written = writeSample(open(vertx, startStandalone()));
        documents.put(MetadataDocuments.tagKey(APP, "torn"), bytes("{\"repository\":\"up/lib"));
        documents.put(MetadataDocuments.tagKey(APP, "future"), bytes("{\"format\":7,\"records\":[]}"));
        documents.put(MetadataDocuments.manifestKey(APP, DIGEST_C), new byte[0]);
        documents.put(MetadataDocuments.repositoryKey("up/broken"), bytes("not json"));
        stopAll();

        HazelcastInstance member = startStandalone();
        HazelcastMetadataStore restarted = open(vertx, member);

        assertThat(await(restarted.tag(APP, "torn"))).isEmpty();
        assertThat(await(restarted.tag(APP, "future"))).isEmpty();
        assertThat(await(restarted.manifest(APP, DIGEST_C))).isEmpty();
        assertThat(await(restarted.repository("up/broken"))).isEmpty();
        assertThat(await(restarted.tagRecords(APP))).extracting(TagRecord::tag)
                .containsExactlyElementsOf(written.appTags());
        assertThat(await(restarted.manifests(APP))).extracting(ManifestRecord::digest)
                .containsExactlyInAnyOrder(DIGEST_A, DIGEST_B);
        assertThat(HazelcastMetadataStore.<TagRecord>mapStore(member.getConfig(), HazelcastMetadataStore.TAGS)
                .skipped().count()).isGreaterThanOrEqualTo(5);
        assertThat(await(restarted.tag(APP, "latest"))).contains(written.movedTag());
    }

    @Test
    void manifestsPage_walkedAcrossRepositories_answersEveryReadableManifestOnce(Vertx vertx) {
        MetadataStore store = open(vertx, startStandalone());
        await(store.putManifest(manifest(APP, DIGEST_A, MANIFEST_TYPE, bytes("{\"a\":1}"))));
        await(store.putManifest(manifest(APP, DIGEST_B, INDEX_TYPE, bytes("{\"manifests\":[]}"))));
        await(store.putManifest(manifest(TOOLS, DIGEST_A, MANIFEST_TYPE, bytes("{\"t\":1}"))));
        documents.put(MetadataDocuments.manifestKey(TOOLS, DIGEST_C), bytes("{torn"));

        List<String> walked = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            StoragePage<ManifestRecord> page = await(store.manifests(after, 1));
            page.items().forEach(manifest -> walked.add(manifest.repository() + "@" + manifest.digest()));
            after = page.next();
            pages++;
        } while (after != null && pages < 10);

        assertThat(walked).containsExactlyInAnyOrder(APP + "@" + DIGEST_A, APP + "@" + DIGEST_B, TOOLS + "@" + DIGEST_A);
        assertThat(await(store.manifests(null, 10)).next()).isNull();
    }

    @Test
    void fullRestart_manyImages_everyImageAnsweredAndListed(Vertx vertx) throws InterruptedException {
        int images = restartImages();
        MetadataStore store = open(vertx, startStandalone());
        Semaphore inFlight = new Semaphore(WRITES_IN_FLIGHT);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < images; i++) {
            String repository = String.format("up/scale/r%05d", i / 10);
            String tag = "v" + (i % 10);
            ManifestRecord manifest = manifest(repository, scaleDigest(i), MANIFEST_TYPE,
                    bytes("{\"schemaVersion\":2,\"image\":" + i + "}"));
            inFlight.acquire(3);
            List<Future<?>> writes = new ArrayList<>();
            if (i % 10 == 0) {
                writes.add(store.createRepositoryIfAbsent(repository(repository, i)));
            }
            writes.add(store.putManifest(manifest));
            writes.add(store.putTag(new TagRecord(repository, tag, manifest.digest(), i)));
            Future.all(writes).onComplete(done -> {
                if (done.failed()) {
                    failed.compareAndSet(null, done.cause());
                }
                inFlight.release(3);
            });
        }
        inFlight.acquire(WRITES_IN_FLIGHT);
        assertThat(failed.get()).isNull();
        stopAll();

        MetadataStore restarted = open(vertx, startStandalone());
        inFlight.release(WRITES_IN_FLIGHT);
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < images; i++) {
            String repository = String.format("up/scale/r%05d", i / 10);
            String digest = scaleDigest(i);
            int image = i;
            inFlight.acquire();
            restarted.tag(repository, "v" + (i % 10))
                    .compose(tag -> restarted.manifest(repository, tag.orElseThrow().digest()))
                    .onComplete(found -> {
                        if (found.succeeded() && found.result().isPresent()
                                && found.result().get().digest().equals(digest)
                                && new String(found.result().get().content(), StandardCharsets.UTF_8)
                                .contains("\"image\":" + image + "}")) {
                            answered.incrementAndGet();
                        } else {
                            failed.compareAndSet(null, found.failed() ? found.cause()
                                    : new AssertionError("image " + image + " not answered: " + found.result()));
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(WRITES_IN_FLIGHT);
        assertThat(failed.get()).isNull();
        assertThat(answered.get()).isEqualTo(images);
        int listed = 0;
        String last = null;
        List<String> page;
        do {
            page = await(restarted.repositoryNames(last, 1000));
            listed += page.size();
            last = page.isEmpty() ? last : page.get(page.size() - 1);
        } while (page.size() == 1000);
        assertThat(listed).isEqualTo(images / 10);
        assertThat(await(restarted.tags(String.format("up/scale/r%05d", images / 10 - 1), "v4", 3)))
                .containsExactly("v5", "v6", "v7");
    }

    /** How many images the restart test writes: enough to prove nothing grows with them. */
    protected int restartImages() {
        return 100_000;
    }

    private static String scaleDigest(int image) {
        return "sha256:" + String.format("%064x", image);
    }

    /** What {@link #writeSample} wrote and a restarted cluster must answer. */
    private record Written(Repository app, Repository tools, ManifestRecord image, ManifestRecord index,
                           List<String> appTags, TagRecord movedTag) {
    }

    private static Written writeSample(MetadataStore store) {
        Repository app = repository(APP, 10);
        Repository tools = repository(TOOLS, 20);
        byte[] large = new byte[1024 * 1024];
        new Random(3).nextBytes(large);
        ManifestRecord image = manifest(APP, DIGEST_A, MANIFEST_TYPE, large);
        ManifestRecord index = manifest(APP, DIGEST_B, INDEX_TYPE, bytes("{\"manifests\":[]}"));
        List<String> appTags = List.of("1.10", "1.9", "latest", "v2");
        List<Future<?>> writes = new ArrayList<>();
        writes.add(store.createRepositoryIfAbsent(app));
        writes.add(store.createRepositoryIfAbsent(tools));
        writes.add(store.putManifest(image));
        writes.add(store.putManifest(index));
        for (String tag : appTags) {
            writes.add(store.putTag(new TagRecord(APP, tag, DIGEST_A, 1)));
        }
        writes.add(store.putTag(new TagRecord(TOOLS, "stable", DIGEST_A, 1)));
        await(Future.all(writes));
        TagRecord moved = new TagRecord(APP, "latest", DIGEST_B, 99);
        await(store.putTag(moved));
        await(store.createRepositoryIfAbsent(repository(APP, 999)));
        return new Written(app, tools, image, index, appTags, moved);
    }

    private static void assertAnswers(MetadataStore store, Written written) {
        assertThat(await(store.repositoryNames(null, 100))).containsExactly(TOOLS, APP);
        assertThat(await(store.repository(APP))).contains(written.app());
        assertThat(await(store.repository(TOOLS))).contains(written.tools());
        assertThat(await(store.tags(APP))).containsExactlyElementsOf(written.appTags());
        assertThat(await(store.tags(TOOLS))).containsExactly("stable");
        assertThat(await(store.tag(APP, "latest"))).contains(written.movedTag());
        assertThat(await(store.tag(APP, "1.9"))).contains(new TagRecord(APP, "1.9", DIGEST_A, 1));
        ManifestRecord image = await(store.manifest(APP, DIGEST_A)).orElseThrow();
        assertThat(image.content()).isEqualTo(written.image().content());
        assertThat(image).usingRecursiveComparison().ignoringFields("content").isEqualTo(written.image());
        assertThat(await(store.manifest(APP, DIGEST_B))).get().usingRecursiveComparison().isEqualTo(written.index());
        assertThat(await(store.manifest(TOOLS, DIGEST_A))).isEmpty();
    }

    private HazelcastInstance startStandalone() {
        HazelcastInstance member = HazelcastMembers.start(
                HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), documents));
        members.add(member);
        return member;
    }

    private List<HazelcastInstance> startCluster(int size) {
        String clusterName = "cargohold-durable-" + UUID.randomUUID();
        List<Integer> ports = IntStream.range(0, size).mapToObj(i -> freePort()).toList();
        List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        List<HazelcastInstance> cluster = new ArrayList<>();
        for (int port : ports) {
            Config config = HazelcastMembers.withDurableMaps(
                    HazelcastMembers.clusterConfig(clusterName, port, addresses), documents);
            config.setProperty("hazelcast.wait.seconds.before.join", "0");
            HazelcastInstance member = HazelcastMembers.start(config);
            members.add(member);
            cluster.add(member);
        }
        assertThat(cluster.get(0).getCluster().getMembers()).hasSize(size);
        return cluster;
    }

    private void stopAll() {
        members.forEach(HazelcastInstance::shutdown);
        members.clear();
    }

    private static HazelcastMetadataStore open(Vertx vertx, HazelcastInstance member) {
        return await(HazelcastMetadataStore.open(vertx, member));
    }

    private <T> Optional<T> document(String key, java.util.function.Function<byte[], T> decode) {
        return documents.get(key).map(decode);
    }

    private static Repository repository(String name, long createdAt) {
        return new Repository(name, "up", "http://127.0.0.1:15000", name.substring(name.indexOf('/') + 1),
                createdAt);
    }

    private static ManifestRecord manifest(String repository, String digest, String mediaType, byte[] content) {
        return new ManifestRecord(repository, digest, mediaType, content, 100, 200);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
