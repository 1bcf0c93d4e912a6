package io.cargohold.store.rocksdb;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.DocumentStoreContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The document store contract over RocksDB, and reopening. */
class RocksDbDocumentStoreTest extends DocumentStoreContractTest {

    @TempDir
    Path root;

    private RocksDbDocumentStore rocks;

    @Override
    protected DocumentStore newStore() {
        rocks = RocksDbDocumentStore.open(root.resolve("metadata.db"));
        return rocks;
    }

    @AfterEach
    void close() {
        rocks.close();
    }

    @Test
    void reopen_afterClose_answersEveryDocumentWritten() {
        Map<String, byte[]> batch = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            batch.put("tags/hub/app:" + i, bytes("{\"i\":" + i + "}"));
        }
        rocks.putAll(batch);
        rocks.put("repositories/hub/app", bytes("{}"));
        rocks.close();

        rocks = RocksDbDocumentStore.open(root.resolve("metadata.db"));

        assertThat(rocks.keys("tags/hub/app:")).hasSize(100);
        assertThat(rocks.get("tags/hub/app:7")).hasValueSatisfying(
                document -> assertThat(document).isEqualTo(bytes("{\"i\":7}")));
        assertThat(rocks.get("repositories/hub/app")).isPresent();
    }

    @Test
    void open_databaseHeldByAnotherStore_failsNamingTheDirectory() {
        assertThatThrownBy(() -> RocksDbDocumentStore.open(root.resolve("metadata.db")))
                .hasMessageContaining("opening metadata database " + root.resolve("metadata.db"));
    }
}
