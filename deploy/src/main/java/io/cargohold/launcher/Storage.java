package io.cargohold.launcher;

import io.cargohold.config.ByteSize;
import io.cargohold.config.ConfigException;
import io.cargohold.credentials.SecretValue;
import io.cargohold.config.StorageConfig;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.DocumentStore;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.store.rocksdb.DocumentDirectoryImport;
import io.cargohold.store.rocksdb.ImportProgress;
import io.cargohold.store.rocksdb.RocksDbDocumentStore;
import io.cargohold.store.s3.S3BlobStore;
import io.cargohold.store.s3.S3DocumentStore;
import io.cargohold.store.s3.S3Settings;
import io.cargohold.store.tier.LocalTierBlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.Map;

/**
 * The durable truth a process works on: blobs, and the metadata documents the shared index is
 * loaded from and written through to. Both live in one place, the filesystem path or the bucket
 * of {@code storage}, so a cluster restarted on the same storage loses nothing.
 */
record Storage(BlobStore blobs, DocumentStore documents) implements AutoCloseable {

    /**
     * Opens and initializes the storage of {@code config}; {@code servesRegistry} adds the edge's
     * local disk tier when one is configured. A filesystem node first imports the metadata of an
     * earlier version's layout, reporting to {@code metadataImport}.
     */
    static Future<Storage> open(Vertx vertx, StorageConfig config, boolean servesRegistry,
                                ImportProgress metadataImport) {
        Path root = Path.of(config.path());
        if ("filesystem".equals(config.type())) {
            FileSystemBlobStore blobs = new FileSystemBlobStore(vertx, root);
            return blobs.initialize().compose(v -> vertx.executeBlocking(() -> {
                RocksDbDocumentStore documents = RocksDbDocumentStore.open(root.resolve("metadata.db"));
                DocumentDirectoryImport.importOnce(root.resolve("metadata"), documents, metadataImport);
                return new Storage(blobs, documents);
            }, false));
        }
        // Building the client reads certificate files: off the event loops, which already serve the admin endpoint.
        return vertx.executeBlocking(() -> settings(config, System.getenv()).newClient(), false).compose(client -> {
            S3BlobStore s3 = new S3BlobStore(vertx, client, config.bucket(), root.resolve("spool"));
            DocumentStore documents = new S3DocumentStore(client, config.bucket());
            Future<Void> ready = s3.initialize();
            if (!servesRegistry || config.localTier() == null) {
                return ready.map(v -> new Storage(s3, documents));
            }
            LocalTierBlobStore tier = new LocalTierBlobStore(vertx, s3, Path.of(config.localTier().get("path")),
                    ByteSize.parse(config.localTier().get("maxSize")));
            return ready.compose(v -> tier.initialize()).map(v -> new Storage(tier, documents));
        });
    }

    private static S3Settings settings(StorageConfig config, Map<String, String> environment) {
        try {
            return new S3Settings(config.endpoint(), config.region(), config.bucket(),
                    SecretValue.resolve("storage.accessKey", config.accessKey(), environment, config.aws()),
                    SecretValue.resolve("storage.secretKey", config.secretKey(), environment, config.aws()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("storage: " + e.getMessage(), e);
        }
    }

    /** Closes the metadata database of a filesystem node; the other stores hold nothing to close. */
    @Override
    public void close() throws Exception {
        if (documents instanceof AutoCloseable database) {
            database.close();
        }
    }
}
