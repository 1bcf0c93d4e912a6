package io.cargohold.store.rocksdb;

import io.cargohold.store.fs.FileSystemDocumentStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves the metadata of an earlier version (one file per document under {@code metadata/}) into the
 * node's {@link RocksDbDocumentStore}, once: the documents are written in synced batches, and only
 * then is the directory renamed to {@code metadata.imported}, so a crash part-way leaves the
 * directory to be imported again on the next start, and nothing is lost.
 */
public final class DocumentDirectoryImport {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentDirectoryImport.class);
    private static final int BATCH = 10_000;

    private DocumentDirectoryImport() {
    }

    /** Imports {@code directory} into {@code target} if it exists; answers how many documents were imported. */
    public static long importOnce(Path directory, RocksDbDocumentStore target) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        FileSystemDocumentStore files = new FileSystemDocumentStore(directory);
        List<String> keys = files.keys("");
        LOG.info("importing {} metadata documents from {} (the layout of earlier versions)", keys.size(), directory);
        Map<String, byte[]> batch = new LinkedHashMap<>();
        for (String key : keys) {
            files.get(key).ifPresent(document -> batch.put(key, document));
            if (batch.size() == BATCH) {
                target.putAll(batch);
                batch.clear();
            }
        }
        target.putAll(batch);
        Path imported = directory.resolveSibling(directory.getFileName() + ".imported");
        try {
            Files.move(directory, imported, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("renaming imported metadata directory " + directory + " to " + imported
                    + " failed: " + e, e);
        }
        LOG.info("imported {} metadata documents; the old directory is kept as {}", keys.size(), imported);
        return keys.size();
    }
}
