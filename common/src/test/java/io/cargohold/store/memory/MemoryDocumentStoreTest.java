package io.cargohold.store.memory;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.DocumentStoreContractTest;

/** The document store contract in memory. */
class MemoryDocumentStoreTest extends DocumentStoreContractTest {

    @Override
    protected DocumentStore newStore() {
        return new MemoryDocumentStore();
    }
}
