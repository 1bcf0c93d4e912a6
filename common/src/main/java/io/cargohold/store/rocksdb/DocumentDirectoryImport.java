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

    /**
     * Imports {@code directory} into {@code target} if it exists, reporting to {@code progress} after each
     * batch; answers how many documents were imported.
     */
    public static long importOnce(Path directory, RocksDbDocumentStore target, ImportProgress progress) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try {
            return importAll(directory, target, progress);
        } finally {
            progress.finished();
        }
    }

    private static long importAll(Path directory, RocksDbDocumentStore target, ImportProgress progress) {
        progress.listing();
        FileSystemDocumentStore files = new FileSystemDocumentStore(directory);
        List<String> keys = files.keys("");
        LOG.info("importing {} metadata documents from {} (the layout of earlier versions)", keys.size(), directory);
        progress.importing(keys.size());
        Map<String, byte[]> batch = new LinkedHashMap<>();
        int read = 0;
        for (String key : keys) {
            files.get(key).ifPresent(document -> batch.put(key, document));
            if (++read == BATCH) {
                target.putAll(batch);
                progress.imported(read);
                batch.clear();
                read = 0;
            }
        }
        target.putAll(batch);
        progress.imported(read);
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
