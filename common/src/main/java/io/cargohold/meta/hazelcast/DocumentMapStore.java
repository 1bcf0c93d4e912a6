package io.cargohold.meta.hazelcast;

import com.hazelcast.map.MapStore;
import io.cargohold.meta.json.DocumentCodec;
import io.cargohold.spi.DocumentStore;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Persists one Hazelcast map's entries as documents in a {@link DocumentStore}: the entry with key
 * {@code k} is the document {@code <prefix>k}, its value encoded by a {@link DocumentCodec}. Every
 * stored key is reported by {@link #loadAllKeys()}, so a new cluster loads the whole map.
 *
 * <p>Hazelcast calls it on its map-store threads (never an event loop); a failure to store is
 * thrown back to Hazelcast, which fails the map operation that caused it.
 */
public final class DocumentMapStore<V> implements MapStore<String, V> {

    private final DocumentStore documents;
    private final String prefix;
    private final DocumentCodec<V> codec;

    public DocumentMapStore(DocumentStore documents, String prefix, DocumentCodec<V> codec) {
        this.documents = documents;
        this.prefix = prefix;
        this.codec = codec;
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public void store(String key, V value) {
        documents.put(prefix + key, codec.encode(value));
    }

    /**
     * Stores the entries one by one; each stored entry is removed from {@code entries}, so on a
     * failure the map holds exactly those not stored (Hazelcast's contract for partial failures).
     */
    @Override
    public void storeAll(Map<String, V> entries) {
        Iterator<Map.Entry<String, V>> iterator = entries.entrySet().iterator();
        while (iterator.hasNext()) {
            Map.Entry<String, V> entry = iterator.next();
            store(entry.getKey(), entry.getValue());
            iterator.remove();
        }
    }

    @Override
    public void delete(String key) {
        documents.delete(prefix + key);
    }

    /** Deletes one by one, removing each deleted key from {@code keys}, as {@link #storeAll} does. */
    @Override
    public void deleteAll(Collection<String> keys) {
        Iterator<String> iterator = keys.iterator();
        while (iterator.hasNext()) {
            delete(iterator.next());
            iterator.remove();
        }
    }

    @Override
    public V load(String key) {
        String documentKey = prefix + key;
        Optional<byte[]> document = documents.get(documentKey);
        if (document.isEmpty()) {
            return null;
        }
        try {
            return codec.decode(document.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException("reading metadata document " + documentKey + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, V> loadAll(Collection<String> keys) {
        Map<String, V> loaded = new HashMap<>();
        for (String key : keys) {
            V value = load(key);
            if (value != null) {
                loaded.put(key, value);
            }
        }
        return loaded;
    }

    @Override
    public Iterable<String> loadAllKeys() {
        List<String> keys = documents.keys(prefix);
        return keys.stream()
                .filter(key -> key.startsWith(prefix) && key.length() > prefix.length())
                .map(key -> key.substring(prefix.length()))
                .toList();
    }
}
