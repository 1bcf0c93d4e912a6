package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.TagRecord;
import io.cargohold.store.memory.MemoryDocumentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata maps' meters on one real member over documents in memory. */
class HazelcastMapMetricsTest {

    private final MemoryDocumentStore documents = new MemoryDocumentStore();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private HazelcastInstance member;

    @BeforeEach
    void start() {
        documents.put("tags/up/library/app:bad", "{".getBytes(StandardCharsets.UTF_8));
        documents.put("manifests/up/library/app@sha256:" + "b".repeat(64), new byte[0]);
        member = HazelcastMembers.start(HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(),
                documents));
        new HazelcastMapMetrics(member).bindTo(meters);
    }

    @AfterEach
    void stop() {
        member.shutdown();
    }

    @Test
    void skipped_unreadableDocumentsRead_countedOnce() {
        assertThat(skipped()).isZero();

        assertThat(member.getMap(HazelcastMetadataStore.TAGS).get("up/library/app:bad")).isNull();
        assertThat(member.getMap(HazelcastMetadataStore.MANIFESTS).get("up/library/app@sha256:" + "b".repeat(64)))
                .isNull();

        assertThat(skipped()).isEqualTo(2);
    }

    @Test
    void entries_loadedTag_ownedByTheOnlyMember() {
        documents.put("tags/up/library/app:1", MetadataDocuments.TAG_CODEC.encode(
                new TagRecord("up/library/app", "1", "sha256:" + "c".repeat(64), 5)));

        assertThat(member.getMap(HazelcastMetadataStore.TAGS).get("up/library/app:1")).isNotNull();

        assertThat(meters.get(HazelcastMapMetrics.ENTRIES).tag("map", "tags").gauge().value()).isEqualTo(1);
    }

    private double skipped() {
        return meters.get(HazelcastMapMetrics.SKIPPED).functionCounter().count();
    }
}
