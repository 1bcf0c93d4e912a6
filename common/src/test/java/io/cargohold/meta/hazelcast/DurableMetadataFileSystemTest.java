package io.cargohold.meta.hazelcast;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.fs.FileSystemDocumentStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Durable metadata maps over documents as files: a full restart of the embedded default loses nothing. */
class DurableMetadataFileSystemTest extends DurableMetadataContract {

    @TempDir
    Path storage;

    @Override
    protected DocumentStore newDocumentStore() {
        return new FileSystemDocumentStore(storage.resolve("metadata"));
    }
}
