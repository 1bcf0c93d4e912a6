package io.cargohold.config;

import io.cargohold.meta.hazelcast.HazelcastMetadataStore;

/**
 * The metadata index: {@code cacheSize} (a {@link ByteSize}; null: 256MiB) is the heap each member
 * gives the repository, manifest and tag maps together; past it the least recently used entries
 * leave memory and are read from storage again when asked for.
 */
public record MetadataConfig(String cacheSize) {

    public static final MetadataConfig DEFAULT = new MetadataConfig(null);
    /** Below this the maps would hold too few entries to spare the storage a read per pull. */
    public static final long MIN_CACHE_BYTES = 16L << 20;

    public long cacheBytes() {
        return cacheSize == null ? HazelcastMetadataStore.DEFAULT_CACHE_BYTES : ByteSize.parse(cacheSize);
    }
}
