package io.cargohold.meta.hazelcast;

import io.cargohold.spi.DocumentStore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** A document store whose puts can be made to fail, as during a storage outage; reads still work. */
final class OutageDocumentStore implements DocumentStore {

    private final DocumentStore delegate;
    private final AtomicBoolean failPuts = new AtomicBoolean();

    OutageDocumentStore(DocumentStore delegate) {
        this.delegate = delegate;
    }

    void failPuts(boolean fail) {
        failPuts.set(fail);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public void put(String key, byte[] document) {
        if (failPuts.get()) {
            throw new IllegalStateException("storing document " + key + " failed: storage unavailable");
        }
        delegate.put(key, document);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public List<String> keys(String prefix) {
        return delegate.keys(prefix);
    }

    @Override
    public List<String> keys(String prefix, String startAfter, int limit) {
        return delegate.keys(prefix, startAfter, limit);
    }

    @Override
    public List<Document> documents(String prefix, String startAfter, int limit) {
        return delegate.documents(prefix, startAfter, limit);
    }
}
