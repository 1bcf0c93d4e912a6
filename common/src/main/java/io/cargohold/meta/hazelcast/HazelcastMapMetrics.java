package io.cargohold.meta.hazelcast;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Gauges {@value #ENTRIES} {@code {map}}: the entries of each metadata map that this member owns.
 * Local statistics cost nothing to read on a scrape, unlike a map's cluster-wide size; the sum over
 * the members is the map's size. Counts {@value #SKIPPED}: the documents this member could not read
 * and treated as absent ({@link SkippedDocuments}), over every map backed by a document store.
 */
public final class HazelcastMapMetrics implements MeterBinder {

    public static final String ENTRIES = "cargohold.metadata.entries";
    public static final String SKIPPED = "cargohold.metadata.documents.skipped";

    private static final List<String> MAPS = List.of(HazelcastMetadataStore.REPOSITORIES,
            HazelcastMetadataStore.MANIFESTS, HazelcastMetadataStore.TAGS);

    private final HazelcastInstance hazelcast;

    public HazelcastMapMetrics(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String name : MAPS) {
            IMap<Object, Object> map = hazelcast.getMap(name);
            Gauge.builder(ENTRIES, map, owned -> owned.getLocalMapStats().getOwnedEntryCount())
                    .description("Entries of a metadata map owned by this member (sum over members: the map's size)")
                    .tag("map", name.substring(name.lastIndexOf('.') + 1))
                    .strongReference(true)
                    .register(registry);
        }
        Set<SkippedDocuments> skipped = skippedDocuments();
        FunctionCounter.builder(SKIPPED, skipped, counts -> counts.stream().mapToLong(SkippedDocuments::count).sum())
                .description("Metadata documents this member could not read (corrupt, truncated or of an unknown "
                        + "format), logged and treated as not cached")
                .register(registry);
    }

    /** The distinct counters of the maps' document stores (maps configured together share one). */
    private Set<SkippedDocuments> skippedDocuments() {
        Set<SkippedDocuments> counts = Collections.newSetFromMap(new IdentityHashMap<>());
        for (MapConfig map : hazelcast.getConfig().getMapConfigs().values()) {
            if (map.getMapStoreConfig().getImplementation() instanceof DocumentMapStore<?> store) {
                counts.add(store.skipped());
            }
        }
        return counts;
    }
}
