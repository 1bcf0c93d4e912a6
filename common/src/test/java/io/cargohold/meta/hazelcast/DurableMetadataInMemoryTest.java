package io.cargohold.meta.hazelcast;

import io.cargohold.store.memory.MemoryDocumentStore;

import io.cargohold.spi.DocumentStore;

/** Durable metadata maps over documents kept in memory by the test. */
class DurableMetadataInMemoryTest extends DurableMetadataContract {

    @Override
    protected DocumentStore newDocumentStore() {
        return new MemoryDocumentStore();
    }
}
