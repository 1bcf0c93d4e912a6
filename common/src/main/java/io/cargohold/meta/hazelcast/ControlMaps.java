package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.DocumentStore;

/**
 * The control plane's cluster maps: cache rules and repository creation templates created through
 * the API, keyed by prefix, and pinned images, keyed by pin id; each value the resource's JSON text.
 * Durable like the metadata maps ({@code control/rules/<prefix>}, {@code control/templates/<prefix>},
 * {@code control/pins/<id>}), so they survive a restart of the whole cluster.
 */
public final class ControlMaps {

    public static final String RULES = "cargohold.rules";
    public static final String TEMPLATES = "cargohold.templates";
    public static final String PINS = "cargohold.pins";
    public static final String RULES_PREFIX = "control/rules/";
    public static final String TEMPLATES_PREFIX = "control/templates/";
    public static final String PINS_PREFIX = "control/pins/";

    private ControlMaps() {
    }

    /** Makes the control maps of {@code config} durable in {@code documents}. */
    public static Config configure(Config config, DocumentStore documents) {
        SkippedDocuments skipped = new SkippedDocuments();
        attach(config.getMapConfig(RULES),
                DocumentMapStore.preloaded(documents, RULES_PREFIX, MetadataDocuments.TEXT_CODEC, skipped));
        attach(config.getMapConfig(TEMPLATES),
                DocumentMapStore.preloaded(documents, TEMPLATES_PREFIX, MetadataDocuments.TEXT_CODEC, skipped));
        attach(config.getMapConfig(PINS),
                DocumentMapStore.preloaded(documents, PINS_PREFIX, MetadataDocuments.TEXT_CODEC, skipped));
        return config;
    }

    private static void attach(MapConfig map, DocumentMapStore<String> store) {
        map.setMapStoreConfig(new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(store)
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER));
    }
}
