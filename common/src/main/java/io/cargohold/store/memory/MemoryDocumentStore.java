package io.cargohold.store.memory;

import io.cargohold.spi.DocumentStore;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Documents in this process's memory, in key order: the store of a member whose metadata need not
 * outlive it (tests, tools). Nothing is durable.
 */
public final class MemoryDocumentStore implements DocumentStore {

    private final ConcurrentSkipListMap<String, byte[]> documents = new ConcurrentSkipListMap<>();

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(documents.get(key)).map(byte[]::clone);
    }

    @Override
    public void put(String key, byte[] document) {
        documents.put(key, document.clone());
    }

    @Override
    public void delete(String key) {
        documents.remove(key);
    }

    @Override
    public List<String> keys(String prefix) {
        return List.copyOf(range(prefix, null).keySet());
    }

    @Override
    public List<String> keys(String prefix, String startAfter, int limit) {
        return range(prefix, startAfter).keySet().stream().limit(limit).toList();
    }

    @Override
    public List<Document> documents(String prefix, String startAfter, int limit) {
        return range(prefix, startAfter).entrySet().stream().limit(limit)
                .map(entry -> new Document(entry.getKey(), entry.getValue().clone()))
                .toList();
    }

    /** The documents whose keys start with {@code prefix} and sort after {@code startAfter}. */
    private NavigableMap<String, byte[]> range(String prefix, String startAfter) {
        String end = prefix + Character.MAX_VALUE;
        if (startAfter == null || startAfter.compareTo(prefix) < 0) {
            return documents.subMap(prefix, true, end, false);
        }
        return startAfter.compareTo(end) >= 0 ? Collections.emptyNavigableMap()
                : documents.subMap(startAfter, false, end, false);
    }

    /** The stored documents themselves, for inspection. */
    public Map<String, byte[]> documents() {
        return documents;
    }
}
