package io.cargohold.meta.hazelcast;

import io.cargohold.store.memory.MemoryDocumentStore;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.MaxSizePolicy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata maps' settings, without starting a member. */
class HazelcastMapConfigTest {

    private static final List<String> MAPS = List.of(HazelcastMetadataStore.REPOSITORIES,
            HazelcastMetadataStore.MANIFESTS, HazelcastMetadataStore.TAGS);

    @Test
    void standaloneConfig_withoutConfigureMaps_hasNoMetadataStore() {
        Config config = HazelcastMembers.standaloneConfig();
        for (String map : MAPS) {
            assertThat(config.getMapConfig(map).getMapStoreConfig().isEnabled()).as(map).isFalse();
        }
    }

    @Test
    void withDurableMaps_everyMetadataMap_isWrittenAndReadThroughWithinABoundedHeap() {
        MemoryDocumentStore documents = new MemoryDocumentStore();
        Config config = HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), documents);
        for (String map : MAPS) {
            MapStoreConfig store = config.getMapConfig(map).getMapStoreConfig();
            assertThat(store.isEnabled()).as(map).isTrue();
            assertThat(store.getWriteDelaySeconds()).as(map).isZero();
            assertThat(store.getInitialLoadMode()).as(map).isEqualTo(MapStoreConfig.InitialLoadMode.LAZY);
            assertThat(((DocumentMapStore<?>) store.getImplementation()).loadAllKeys()).as(map).isNull();
            assertThat(((DocumentMapStore<?>) store.getImplementation()).documents()).as(map).isSameAs(documents);
            EvictionConfig eviction = config.getMapConfig(map).getEvictionConfig();
            assertThat(eviction.getMaxSizePolicy()).as(map).isEqualTo(MaxSizePolicy.USED_HEAP_SIZE);
            assertThat(eviction.getEvictionPolicy()).as(map).isEqualTo(EvictionPolicy.LRU);
            assertThat(eviction.getSize()).as(map).isPositive();
        }
        assertThat(((DocumentMapStore<?>) config.getMapConfig(HazelcastMetadataStore.TAGS)
                .getMapStoreConfig().getImplementation()).prefix()).isEqualTo("tags/");
    }

    @Test
    void configureMaps_cacheSize_isSharedByTheThreeMaps() {
        Config config = HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig(),
                new MemoryDocumentStore(), 400L << 20);
        assertThat(config.getMapConfig(HazelcastMetadataStore.MANIFESTS).getEvictionConfig().getSize()).isEqualTo(200);
        assertThat(config.getMapConfig(HazelcastMetadataStore.TAGS).getEvictionConfig().getSize()).isEqualTo(100);
        assertThat(config.getMapConfig(HazelcastMetadataStore.REPOSITORIES).getEvictionConfig().getSize())
                .isEqualTo(100);
    }

    @Test
    void withDurableMaps_cacheSize_reachesTheMetadataMaps() {
        Config config = HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(),
                new MemoryDocumentStore(), 64L << 20);
        assertThat(config.getMapConfig(HazelcastMetadataStore.MANIFESTS).getEvictionConfig().getSize()).isEqualTo(32);
        assertThat(config.getMapConfig(HazelcastMetadataStore.TAGS).getEvictionConfig().getSize()).isEqualTo(16);
    }
}
