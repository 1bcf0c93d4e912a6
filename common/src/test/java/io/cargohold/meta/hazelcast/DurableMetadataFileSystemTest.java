package io.cargohold.meta.hazelcast;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.rocksdb.RocksDbDocumentStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Durable metadata maps over the filesystem node's RocksDB database: a full restart of the embedded
 * default loses nothing.
 */
class DurableMetadataFileSystemTest extends DurableMetadataContract {

    @TempDir
    Path storage;

    private RocksDbDocumentStore database;

    @Override
    protected DocumentStore newDocumentStore() {
        database = RocksDbDocumentStore.open(storage.resolve("metadata.db"));
        return database;
    }

    @Override
    protected void closeDocumentStore() {
        database.close();
    }
}
