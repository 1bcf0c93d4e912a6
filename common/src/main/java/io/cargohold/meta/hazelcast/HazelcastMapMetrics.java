package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;

/**
 * Gauges {@value #ENTRIES} {@code {map}}: the entries of each metadata map that this member owns.
 * Local statistics cost nothing to read on a scrape, unlike a map's cluster-wide size; the sum over
 * the members is the map's size.
 */
public final class HazelcastMapMetrics implements MeterBinder {

    public static final String ENTRIES = "cargohold.metadata.entries";

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
    }
}
