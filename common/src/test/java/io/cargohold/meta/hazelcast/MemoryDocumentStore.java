package io.cargohold.meta.hazelcast;

import io.cargohold.spi.DocumentStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Documents in a concurrent map: the durable storage of these tests, which outlives the Hazelcast
 * members started on it. {@link #failPuts(boolean)} makes every put throw, as a storage outage would.
 */
final class MemoryDocumentStore implements DocumentStore {

    private final Map<String, byte[]> documents = new ConcurrentSkipListMap<>();
    private final AtomicBoolean failPuts = new AtomicBoolean();

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(documents.get(key)).map(byte[]::clone);
    }

    @Override
    public void put(String key, byte[] document) {
        if (failPuts.get()) {
            throw new IllegalStateException("storing document " + key + " failed: storage unavailable");
        }
        documents.put(key, document.clone());
    }

    @Override
    public void delete(String key) {
        documents.remove(key);
    }

    @Override
    public List<String> keys(String prefix) {
        return documents.keySet().stream().filter(key -> key.startsWith(prefix)).toList();
    }

    void failPuts(boolean fail) {
        failPuts.set(fail);
    }

    Map<String, byte[]> documents() {
        return documents;
    }
}
