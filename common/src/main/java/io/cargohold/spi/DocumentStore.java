package io.cargohold.spi;

import java.util.List;
import java.util.Optional;

/**
 * Small documents (metadata records as JSON) stored by key in durable storage: the truth that the
 * shared in-memory index reads through and writes through to. Blocking: it is called from
 * Hazelcast's map-store threads and Vert.x worker threads, never from an event loop.
 *
 * <p>Listings are pages in the store's key order (byte order of the key as the store writes it),
 * so a caller that resumes after the last key of a page sees every key exactly once.
 */
public interface DocumentStore {

    Optional<byte[]> get(String key);

    void put(String key, byte[] document);

    void delete(String key);

    /** Every key that starts with {@code prefix}: only for small families of documents. */
    List<String> keys(String prefix);

    /**
     * Up to {@code limit} keys that start with {@code prefix} and come after {@code startAfter}
     * (a whole key; null: from the first), in the store's order.
     */
    List<String> keys(String prefix, String startAfter, int limit);

    /** As {@link #keys(String, String, int)}, with each key's document. */
    List<Document> documents(String prefix, String startAfter, int limit);

    /** A stored document and its key. */
    record Document(String key, byte[] content) {
    }
}
