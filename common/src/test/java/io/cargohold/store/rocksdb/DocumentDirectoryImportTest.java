package io.cargohold.store.rocksdb;

import io.cargohold.store.fs.FileSystemDocumentStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-time import of the earlier per-file layout into RocksDB, and the progress it reports. */
class DocumentDirectoryImportTest {

    @TempDir
    Path dir;

    private final ImportProgress progress = new ImportProgress();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void importOnce_earlierLayout_everyDocumentMovedAndProgressReported() {
        Path directory = dir.resolve("metadata");
        FileSystemDocumentStore files = new FileSystemDocumentStore(directory);
        files.put("tags/up/app:1", bytes("one"));
        files.put("tags/up/app:2", bytes("two"));
        files.put("repositories/up/app", bytes("app"));
        progress.bindTo(meters);

        try (RocksDbDocumentStore target = RocksDbDocumentStore.open(dir.resolve("metadata.db"))) {
            assertThat(DocumentDirectoryImport.importOnce(directory, target, progress)).isEqualTo(3);

            assertThat(target.get("tags/up/app:2")).hasValueSatisfying(d -> assertThat(d).isEqualTo(bytes("two")));
            assertThat(target.keys("")).hasSize(3);
        }
        assertThat(Files.exists(directory)).isFalse();
        assertThat(Files.isDirectory(dir.resolve("metadata.imported"))).isTrue();
        assertThat(progress.done()).isEqualTo(3);
        assertThat(progress.total()).isEqualTo(3);
        assertThat(progress.describe()).isNull();
        assertThat(meters.get(ImportProgress.DOCUMENTS).tag("state", "done").gauge().value()).isEqualTo(3);
        assertThat(meters.get(ImportProgress.DOCUMENTS).tag("state", "total").gauge().value()).isEqualTo(3);
    }

    @Test
    void importOnce_noEarlierLayout_importsNothing() {
        try (RocksDbDocumentStore target = RocksDbDocumentStore.open(dir.resolve("metadata.db"))) {
            assertThat(DocumentDirectoryImport.importOnce(dir.resolve("metadata"), target, progress)).isZero();
        }
        assertThat(progress.total()).isZero();
        assertThat(progress.describe()).isNull();
    }

    @Test
    void describe_duringAnImport_saysHowManyOfHowMany() {
        progress.listing();
        assertThat(progress.describe()).isEqualTo("loading metadata: listing the documents to import");

        progress.importing(105_000);
        progress.imported(10_000);
        progress.imported(10_000);

        assertThat(progress.describe()).isEqualTo("loading metadata: 20000 of 105000");
        progress.finished();
        assertThat(progress.describe()).isNull();
        assertThat(progress.done()).isEqualTo(20_000);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
