package io.cargohold.spi;

import java.util.List;
import java.util.Optional;

/**
 * Small documents (metadata records as JSON) stored by key in durable storage: the truth that the
 * shared in-memory index is loaded from and written through to. Blocking: it is called from
 * Hazelcast's map-store threads, never from an event loop.
 */
public interface DocumentStore {

    Optional<byte[]> get(String key);

    void put(String key, byte[] document);

    void delete(String key);

    /** Every key that starts with {@code prefix}. */
    List<String> keys(String prefix);
}
