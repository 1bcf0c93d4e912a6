package io.cargohold.meta.hazelcast;

import io.cargohold.store.memory.MemoryDocumentStore;

import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.TagRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The map store alone, over documents in memory. */
class DocumentMapStoreTest {

    private static final String DIGEST = "sha256:" + "e".repeat(64);

    private final MemoryDocumentStore memory = new MemoryDocumentStore();
    private final OutageDocumentStore documents = new OutageDocumentStore(memory);
    private final SkippedDocuments skipped = new SkippedDocuments();
    private final DocumentMapStore<TagRecord> tags = DocumentMapStore.preloaded(documents,
            MetadataDocuments.TAGS_PREFIX, MetadataDocuments.TAG_CODEC, skipped);

    @Test
    void store_writesTheDocumentUnderThePrefixedKey() {
        TagRecord tag = new TagRecord("up/library/app", "1", DIGEST, 5);
        tags.store("up/library/app:1", tag);
        assertThat(memory.documents()).containsOnlyKeys("tags/up/library/app:1");
        assertThat(tags.load("up/library/app:1")).isEqualTo(tag);
    }

    @Test
    void load_absent_isNull() {
        assertThat(tags.load("up/library/app:nope")).isNull();
    }

    @Test
    void load_corruptTruncatedOrUnknownDocuments_areAbsentAndCounted() {
        documents.put("tags/up/library/app:bad", "{".getBytes(StandardCharsets.UTF_8));
        documents.put("tags/up/library/app:empty", new byte[0]);
        documents.put("tags/up/library/app:future", ("{\"format\":2,\"tag\":{\"name\":\"future\",\"digest\":\"" + DIGEST + "\"}}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(tags.load("up/library/app:bad")).isNull();
        assertThat(tags.load("up/library/app:empty")).isNull();
        assertThat(tags.load("up/library/app:future")).isNull();
        assertThat(skipped.count()).isEqualTo(3);
    }

    @Test
    void loadAllKeys_readThroughMap_loadsNothingUpFront() {
        tags.store("up/a:1", new TagRecord("up/a", "1", DIGEST, 1));
        DocumentMapStore<TagRecord> readThrough = DocumentMapStore.readThrough(documents,
                MetadataDocuments.TAGS_PREFIX, MetadataDocuments.TAG_CODEC, skipped);
        assertThat(readThrough.loadAllKeys()).isNull();
        assertThat(readThrough.load("up/a:1")).isNotNull();
    }

    @Test
    void loadAllKeys_answersOnlyThisPrefixWithoutIt() {
        tags.store("up/a:1", new TagRecord("up/a", "1", DIGEST, 1));
        tags.store("up/b:2", new TagRecord("up/b", "2", DIGEST, 1));
        documents.put("repositories/up/a", "{}".getBytes(StandardCharsets.UTF_8));
        documents.put("tagsx/other", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(tags.loadAllKeys()).containsExactlyInAnyOrder("up/a:1", "up/b:2");
    }

    @Test
    void loadAll_someAbsent_answersThoseStored() {
        TagRecord tag = new TagRecord("up/a", "1", DIGEST, 1);
        tags.store("up/a:1", tag);
        assertThat(tags.loadAll(List.of("up/a:1", "up/a:2"))).containsExactly(Map.entry("up/a:1", tag));
    }

    @Test
    void delete_removesTheDocument() {
        tags.store("up/a:1", new TagRecord("up/a", "1", DIGEST, 1));
        tags.deleteAll(new ArrayList<>(List.of("up/a:1")));
        assertThat(memory.documents()).isEmpty();
    }

    @Test
    void storeAll_storageFails_leavesTheUnstoredEntriesInTheMap() {
        Map<String, TagRecord> entries = new LinkedHashMap<>();
        entries.put("up/a:1", new TagRecord("up/a", "1", DIGEST, 1));
        entries.put("up/a:2", new TagRecord("up/a", "2", DIGEST, 1));
        documents.failPuts(true);
        assertThatThrownBy(() -> tags.storeAll(entries)).hasMessageContaining("storage unavailable");
        assertThat(entries).containsOnlyKeys("up/a:1", "up/a:2");
        documents.failPuts(false);
        tags.storeAll(entries);
        assertThat(entries).isEmpty();
        assertThat(memory.documents()).containsOnlyKeys("tags/up/a:1", "tags/up/a:2");
    }
}
