package io.cargohold.meta.hazelcast;

import com.hazelcast.map.MapStore;
import io.cargohold.meta.json.DocumentCodec;
import io.cargohold.spi.DocumentStore;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Persists one Hazelcast map's entries as documents in a {@link DocumentStore}: the entry with key
 * {@code k} is the document {@code <prefix>k}, its value encoded by a {@link DocumentCodec}.
 *
 * <p>A map over a small family of documents (the control maps, the registry documents) is
 * <em>preloaded</em>: {@link #loadAllKeys()} reports every stored key, so a new cluster loads the
 * whole map. The metadata maps are read through instead: they load nothing at start, an entry is
 * loaded when first asked for, and listings read the store itself; so neither start-up nor memory
 * grows with the number of cached images.
 *
 * <p>Hazelcast calls it on its map-store threads (never an event loop); a failure to store is
 * thrown back to Hazelcast, which fails the map operation that caused it. A document that cannot be
 * decoded is skipped ({@link SkippedDocuments}) and loads as absent.
 */
public final class DocumentMapStore<V> implements MapStore<String, V> {

    private final DocumentStore documents;
    private final String prefix;
    private final DocumentCodec<V> codec;
    private final boolean preloaded;
    private final SkippedDocuments skipped;

    private DocumentMapStore(DocumentStore documents, String prefix, DocumentCodec<V> codec, boolean preloaded,
                             SkippedDocuments skipped) {
        this.documents = documents;
        this.prefix = prefix;
        this.codec = codec;
        this.preloaded = preloaded;
        this.skipped = skipped;
    }

    /** A store whose map a new cluster loads whole. */
    public static <V> DocumentMapStore<V> preloaded(DocumentStore documents, String prefix, DocumentCodec<V> codec,
                                                    SkippedDocuments skipped) {
        return new DocumentMapStore<>(documents, prefix, codec, true, skipped);
    }

    /** A store whose map loads each entry when it is first asked for. */
    public static <V> DocumentMapStore<V> readThrough(DocumentStore documents, String prefix, DocumentCodec<V> codec,
                                                      SkippedDocuments skipped) {
        return new DocumentMapStore<>(documents, prefix, codec, false, skipped);
    }

    public String prefix() {
        return prefix;
    }

    public DocumentStore documents() {
        return documents;
    }

    public SkippedDocuments skipped() {
        return skipped;
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
        return document.map(content -> decode(documentKey, content)).orElse(null);
    }

    /** The record of a stored document, or null when it cannot be read (skipped and counted). */
    public V decode(String documentKey, byte[] content) {
        try {
            return codec.decode(content);
        } catch (RuntimeException e) {
            skipped.skip(documentKey, e);
            return null;
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

    /** Every stored key of a preloaded map; null (load nothing) for a read-through one. */
    @Override
    public Iterable<String> loadAllKeys() {
        if (!preloaded) {
            return null;
        }
        return documents.keys(prefix).stream()
                .filter(key -> key.startsWith(prefix) && key.length() > prefix.length())
                .map(key -> key.substring(prefix.length()))
                .toList();
    }
}
