package io.cargohold.meta.hazelcast;

import io.cargohold.store.memory.MemoryDocumentStore;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Three real members in this JVM, joined over TCP-IP on 127.0.0.1, sharing one metadata index. */
@ExtendWith(VertxExtension.class)
class HazelcastClusterTest {

    private static final int MEMBERS = 3;
    private static final String DIGEST = "sha256:" + "c".repeat(64);

    private static final List<HazelcastInstance> members = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        MemoryDocumentStore documents = new MemoryDocumentStore();
        String clusterName = "cargohold-test-" + UUID.randomUUID();
        List<Integer> ports = IntStream.range(0, MEMBERS).mapToObj(i -> freePort()).toList();
        List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        for (int port : ports) {
            Config config = HazelcastMembers.withDurableMaps(
                    HazelcastMembers.clusterConfig(clusterName, port, addresses), documents);
            config.setProperty("hazelcast.wait.seconds.before.join", "0");
            members.add(HazelcastMembers.start(config));
        }
    }

    @AfterAll
    static void stopCluster() {
        members.forEach(HazelcastInstance::shutdown);
    }

    @Test
    void members_joinedOverTcpIp_formOneClusterOnLoopback() {
        for (HazelcastInstance member : members) {
            assertThat(member.getCluster().getMembers()).hasSize(MEMBERS);
            assertThat(member.getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void writes_onOneMember_areSeenByTheOthers(Vertx vertx, VertxTestContext test) {
        List<HazelcastMetadataStore> stores = members.stream()
                .map(member -> new HazelcastMetadataStore(vertx, member)).toList();
        Repository repository = new Repository("up/library/shared", "up", "http://127.0.0.1:15000",
                "library/shared", 1);
        byte[] content = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord manifest = new ManifestRecord("up/library/shared", DIGEST,
                "application/vnd.oci.image.manifest.v1+json", content, 1, 1);
        List<Future<Void>> tagWrites = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tagWrites.add(stores.get(i % MEMBERS).putTag(new TagRecord("up/library/shared", "t" + (100 + i), DIGEST, i)));
        }
        stores.get(0).createRepositoryIfAbsent(repository)
                .compose(v -> stores.get(1).putManifest(manifest))
                .compose(v -> Future.all(tagWrites))
                .compose(v -> Future.all(stores.get(2).repository("up/library/shared"),
                        stores.get(0).manifest("up/library/shared", DIGEST),
                        stores.get(1).tags("up/library/shared"),
                        stores.get(2).tag("up/library/shared", "t105"),
                        stores.get(1).repositoryNames(null, 100)))
                .onComplete(test.succeeding(all -> test.verify(() -> {
                    assertThat(all.<Optional<Repository>>resultAt(0)).contains(repository);
                    assertThat(all.<Optional<ManifestRecord>>resultAt(1)).get()
                            .usingRecursiveComparison().isEqualTo(manifest);
                    assertThat(all.<List<String>>resultAt(2)).hasSize(20).isSorted().startsWith("t100", "t101");
                    assertThat(all.<Optional<TagRecord>>resultAt(3)).get()
                            .extracting(TagRecord::lastCheckedAtMillis).isEqualTo(5L);
                    assertThat(all.<List<String>>resultAt(4)).contains("up/library/shared");
                    test.completeNow();
                })));
    }

    @Test
    void createRepositoryIfAbsent_racingMembers_allAnswerTheSameRepository(Vertx vertx, VertxTestContext test) {
        List<Future<Repository>> creations = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            HazelcastMetadataStore store = new HazelcastMetadataStore(vertx, members.get(i));
            creations.add(store.createRepositoryIfAbsent(new Repository("up/library/race", "up",
                    "http://127.0.0.1:15000", "library/race", i)));
        }
        Future.all(creations).onComplete(test.succeeding(all -> test.verify(() -> {
            List<Repository> answers = all.list();
            assertThat(answers).allMatch(answer -> answer.equals(answers.get(0)));
            test.completeNow();
        })));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
