package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapStoreConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata maps' settings, without starting a member. */
class HazelcastMapConfigTest {

    private static final List<String> MAPS = List.of(HazelcastMetadataStore.REPOSITORIES,
            HazelcastMetadataStore.MANIFESTS, HazelcastMetadataStore.TAGS);

    @Test
    void standaloneConfig_withoutDocumentStore_keepsTheMapsInMemoryOnly() {
        Config config = HazelcastMembers.standaloneConfig();
        for (String map : MAPS) {
            MapStoreConfig store = config.getMapConfig(map).getMapStoreConfig();
            assertThat(store.isEnabled()).as(map).isFalse();
        }
    }

    @Test
    void withDurableMaps_everyMetadataMap_isWrittenThroughAndLoadedEagerly() {
        Config config = HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), new MemoryDocumentStore());
        for (String map : MAPS) {
            MapStoreConfig store = config.getMapConfig(map).getMapStoreConfig();
            assertThat(store.isEnabled()).as(map).isTrue();
            assertThat(store.getWriteDelaySeconds()).as(map).isZero();
            assertThat(store.getInitialLoadMode()).as(map).isEqualTo(MapStoreConfig.InitialLoadMode.EAGER);
            assertThat(store.getImplementation()).as(map).isInstanceOf(DocumentMapStore.class);
        }
        assertThat(((DocumentMapStore<?>) config.getMapConfig(HazelcastMetadataStore.TAGS)
                .getMapStoreConfig().getImplementation()).prefix()).isEqualTo("tags/");
    }

    @Test
    void configureMaps_calledAgain_addsNoSecondIndex() {
        Config config = HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig());
        assertThat(config.getMapConfig(HazelcastMetadataStore.TAGS).getIndexConfigs()).hasSize(1);
        assertThat(config.getMapConfig(HazelcastMetadataStore.MANIFESTS).getIndexConfigs()).hasSize(1);
    }
}
