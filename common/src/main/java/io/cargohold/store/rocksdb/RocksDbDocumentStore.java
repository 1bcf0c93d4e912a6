package io.cargohold.store.rocksdb;

import io.cargohold.spi.DocumentStore;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Metadata documents of a node on filesystem storage in an embedded RocksDB database: keys in byte
 * order, so a listing page is one seek and a short scan however many documents there are, and a
 * lifecycle run reads them in sequence. Every write is synced to the write-ahead log before it
 * returns (durable before it is acknowledged); RocksDB syncs concurrent writers together, so writes
 * from many pulls share each sync. One process opens a database at a time (RocksDB's lock file).
 */
public final class RocksDbDocumentStore implements DocumentStore, AutoCloseable {

    /** Index and data blocks kept in memory: a bounded read cache, whatever the number of documents. */
    private static final long BLOCK_CACHE_BYTES = 32L << 20;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final LRUCache blockCache;
    private final Options options;
    private final WriteOptions durable;
    private final RocksDB db;

    private RocksDbDocumentStore(Path directory, LRUCache blockCache, Options options, RocksDB db) {
        this.directory = directory;
        this.blockCache = blockCache;
        this.options = options;
        this.durable = new WriteOptions().setSync(true);
        this.db = db;
    }

    /** Opens the database in {@code directory}, creating it when missing. Blocking. */
    public static RocksDbDocumentStore open(Path directory) {
        LRUCache blockCache = new LRUCache(BLOCK_CACHE_BYTES);
        Options options = new Options()
                .setCreateIfMissing(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
        try {
            Files.createDirectories(directory);
            return new RocksDbDocumentStore(directory, blockCache, options, RocksDB.open(options, directory.toString()));
        } catch (RocksDBException e) {
            options.close();
            blockCache.close();
            throw failure("opening metadata database " + directory, e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("creating metadata database directory " + directory + " failed: " + e, e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.ofNullable(db.get(bytes(key)));
        } catch (RocksDBException e) {
            throw failure("reading document " + key, e);
        }
    }

    @Override
    public void put(String key, byte[] document) {
        try {
            db.put(durable, bytes(key), document);
        } catch (RocksDBException e) {
            throw failure("storing document " + key, e);
        }
    }

    /** Writes every document in one synced batch: all or none of them are stored. */
    public void putAll(Map<String, byte[]> documents) {
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, byte[]> document : documents.entrySet()) {
                batch.put(bytes(document.getKey()), document.getValue());
            }
            db.write(durable, batch);
        } catch (RocksDBException e) {
            throw failure("storing " + documents.size() + " documents", e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            db.delete(durable, bytes(key));
        } catch (RocksDBException e) {
            throw failure("deleting document " + key, e);
        }
    }

    @Override
    public List<String> keys(String prefix) {
        return keys(prefix, null, Integer.MAX_VALUE);
    }

    @Override
    public List<String> keys(String prefix, String startAfter, int limit) {
        return scan(prefix, startAfter, limit, (key, iterator) -> key);
    }

    @Override
    public List<Document> documents(String prefix, String startAfter, int limit) {
        return scan(prefix, startAfter, limit, (key, iterator) -> new Document(key, iterator.value()));
    }

    private <T> List<T> scan(String prefix, String startAfter, int limit, BiFunction<String, RocksIterator, T> read) {
        byte[] prefixBytes = bytes(prefix);
        byte[] after = startAfter == null ? null : bytes(startAfter);
        boolean resume = after != null && Arrays.compareUnsigned(after, prefixBytes) >= 0;
        List<T> page = new ArrayList<>();
        try (RocksIterator iterator = db.newIterator()) {
            iterator.seek(resume ? after : prefixBytes);
            if (resume && iterator.isValid() && Arrays.equals(iterator.key(), after)) {
                iterator.next();
            }
            for (; iterator.isValid() && page.size() < limit; iterator.next()) {
                byte[] key = iterator.key();
                if (!startsWith(key, prefixBytes)) {
                    break;
                }
                page.add(read.apply(new String(key, StandardCharsets.UTF_8), iterator));
            }
            iterator.status();
        } catch (RocksDBException e) {
            throw failure("listing documents under " + prefix, e);
        }
        return page;
    }

    @Override
    public void close() {
        db.close();
        durable.close();
        options.close();
        blockCache.close();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private UncheckedIOException failure(String attempted, RocksDBException cause) {
        return failure(attempted + " in " + directory, cause.getMessage(), cause);
    }

    private static UncheckedIOException failure(String attempted, String reason, RocksDBException cause) {
        return new UncheckedIOException(attempted + " failed: " + reason, new IOException(cause));
    }
}
