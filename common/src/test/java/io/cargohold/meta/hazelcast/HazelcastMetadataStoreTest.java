package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata port on one real standalone Hazelcast member. */
@ExtendWith(VertxExtension.class)
class HazelcastMetadataStoreTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private static HazelcastInstance member;
    private HazelcastMetadataStore store;

    @BeforeAll
    static void startMember() {
        member = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
    }

    @AfterAll
    static void stopMember() {
        member.shutdown();
    }

    @BeforeEach
    void emptyMaps(Vertx vertx) {
        member.getMap(HazelcastMetadataStore.REPOSITORIES).clear();
        member.getMap(HazelcastMetadataStore.MANIFESTS).clear();
        member.getMap(HazelcastMetadataStore.TAGS).clear();
        store = new HazelcastMetadataStore(vertx, member);
    }

    @Test
    void standaloneMember_listensOnLoopbackAlone() {
        assertThat(member.getCluster().getMembers()).hasSize(1);
        assertThat(member.getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void repository_unknown_isEmpty(VertxTestContext test) {
        store.repository("library/nope").onComplete(test.succeeding(found -> test.verify(() -> {
            assertThat(found).isEmpty();
            test.completeNow();
        })));
    }

    @Test
    void createRepositoryIfAbsent_twice_keepsTheFirst(VertxTestContext test) {
        Repository first = repository("up/library/app", 1);
        Repository second = repository("up/library/app", 2);
        store.createRepositoryIfAbsent(first)
                .compose(created -> {
                    assertThat(created).isEqualTo(first);
                    return store.createRepositoryIfAbsent(second);
                })
                .compose(existing -> {
                    assertThat(existing).isEqualTo(first);
                    return store.repository("up/library/app");
                })
                .onComplete(test.succeeding(found -> test.verify(() -> {
                    assertThat(found).contains(first);
                    test.completeNow();
                })));
    }

    @Test
    void repositoryNames_severalRepositories_sorted(VertxTestContext test) {
        Future.all(store.createRepositoryIfAbsent(repository("up/zeta", 1)),
                        store.createRepositoryIfAbsent(repository("up/alpha", 1)),
                        store.createRepositoryIfAbsent(repository("hub/library/nginx", 1)))
                .compose(v -> store.repositoryNames(null, 100))
                .onComplete(test.succeeding(names -> test.verify(() -> {
                    assertThat(names).containsExactly("hub/library/nginx", "up/alpha", "up/zeta");
                    test.completeNow();
                })));
    }

    @Test
    void putManifest_thenManifest_answersTheSameRecord(VertxTestContext test) {
        byte[] content = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord manifest = new ManifestRecord("up/library/app", DIGEST,
                "application/vnd.oci.image.manifest.v1+json", content, 10, 20);
        store.putManifest(manifest)
                .compose(v -> Future.all(store.manifest("up/library/app", DIGEST),
                        store.manifest("up/library/other", DIGEST)))
                .onComplete(test.succeeding(found -> test.verify(() -> {
                    Optional<ManifestRecord> stored = found.resultAt(0);
                    assertThat(stored).isPresent();
                    assertThat(stored.get()).usingRecursiveComparison().isEqualTo(manifest);
                    assertThat(found.<Optional<ManifestRecord>>resultAt(1)).isEmpty();
                    test.completeNow();
                })));
    }

    @Test
    void markPulled_cachedManifest_movesTheLastPullForwardOnly(VertxTestContext test) {
        store.putManifest(cachedAt10PulledAt20())
                .compose(v -> store.markPulled("up/library/app", DIGEST, 30))
                .compose(v -> store.markPulled("up/library/app", DIGEST, 25))
                .compose(v -> store.manifest("up/library/app", DIGEST))
                .onComplete(test.succeeding(stored -> test.verify(() -> {
                    assertThat(stored).hasValueSatisfying(record -> {
                        assertThat(record.lastPulledAtMillis()).isEqualTo(30);
                        assertThat(record.cachedAtMillis()).isEqualTo(10);
                    });
                    test.completeNow();
                })));
    }

    @Test
    void markPulled_manifestDeletedMeanwhile_doesNotBringItBack(VertxTestContext test) {
        store.putManifest(cachedAt10PulledAt20())
                .compose(v -> store.deleteManifest("up/library/app", DIGEST))
                .compose(v -> store.markPulled("up/library/app", DIGEST, 30))
                .compose(v -> store.manifest("up/library/app", DIGEST))
                .onComplete(test.succeeding(stored -> test.verify(() -> {
                    assertThat(stored).isEmpty();
                    test.completeNow();
                })));
    }

    private static ManifestRecord cachedAt10PulledAt20() {
        return new ManifestRecord("up/library/app", DIGEST, "application/vnd.oci.image.manifest.v1+json",
                new byte[]{'{', '}'}, 10, 20);
    }

    @Test
    void putTag_again_replacesTheRecord(VertxTestContext test) {
        TagRecord first = new TagRecord("up/library/app", "1", DIGEST, 100);
        TagRecord moved = new TagRecord("up/library/app", "1", "sha256:" + "b".repeat(64), 200);
        store.putTag(first)
                .compose(v -> store.putTag(moved))
                .compose(v -> store.tag("up/library/app", "1"))
                .onComplete(test.succeeding(found -> test.verify(() -> {
                    assertThat(found).contains(moved);
                    test.completeNow();
                })));
    }

    @Test
    void tags_severalRepositories_answersOnlyThatRepositorySorted(VertxTestContext test) {
        Future.all(List.of(
                        store.putTag(new TagRecord("up/library/app", "latest", DIGEST, 1)),
                        store.putTag(new TagRecord("up/library/app", "1.10", DIGEST, 1)),
                        store.putTag(new TagRecord("up/library/app", "1.9", DIGEST, 1)),
                        store.putTag(new TagRecord("up/library/app2", "other", DIGEST, 1)),
                        store.putTag(new TagRecord("up/library", "parent", DIGEST, 1))))
                .compose(v -> Future.all(store.tags("up/library/app"), store.tags("up/library/none")))
                .onComplete(test.succeeding(found -> test.verify(() -> {
                    assertThat(found.<List<String>>resultAt(0)).containsExactly("1.10", "1.9", "latest");
                    assertThat(found.<List<String>>resultAt(1)).isEmpty();
                    test.completeNow();
                })));
    }

    @Test
    void operations_calledOnAContext_completeOnThatContext(Vertx vertx, VertxTestContext test) {
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> store.putTag(new TagRecord("up/library/app", "ctx", DIGEST, 1))
                .compose(done -> {
                    assertThat(Vertx.currentContext()).isSameAs(context);
                    return store.tag("up/library/app", "ctx");
                })
                .compose(found -> {
                    assertThat(Vertx.currentContext()).isSameAs(context);
                    return store.tags("up/library/app");
                })
                .onComplete(test.succeeding(found -> test.verify(() -> {
                    assertThat(Vertx.currentContext()).isSameAs(context);
                    assertThat(found).containsExactly("ctx");
                    test.completeNow();
                }))));
    }

    private static Repository repository(String name, long createdAt) {
        return new Repository(name, "up", "http://127.0.0.1:15000", name.substring(name.indexOf('/') + 1),
                createdAt);
    }
}
