package io.cargohold.store.fs;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.DocumentStoreContractTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The document store contract over files, and the file layout. */
class FileSystemDocumentStoreTest extends DocumentStoreContractTest {

    @TempDir
    Path root;

    private Path directory;

    @Override
    protected DocumentStore newStore() {
        directory = root.resolve("metadata");
        return new FileSystemDocumentStore(directory);
    }

    @Test
    void put_keys_areFilesPerSegmentEndingInJson() {
        store.put("manifests/hub/library/nginx@sha256:" + "a".repeat(64), bytes("{}"));
        store.put("tags/hub/library/nginx:1.27", bytes("{}"));

        assertThat(directory.resolve("manifests/hub/library/nginx@sha256:" + "a".repeat(64) + ".json")).isRegularFile();
        assertThat(directory.resolve("tags/hub/library/nginx:1%2E27.json")).isRegularFile();
    }

    @Test
    void put_dotDotSegments_staysInsideTheDirectory() throws IOException {
        store.put("../../escaped", bytes("{}"));
        store.put("tags/../..", bytes("{}"));

        assertThat(root.resolve("escaped.json")).doesNotExist();
        assertThat(files(root)).allSatisfy(file -> assertThat(file).startsWith(directory))
                .containsExactlyInAnyOrder(directory.resolve("%2E%2E/%2E%2E/escaped.json"),
                        directory.resolve("tags/%2E%2E/%2E%2E.json"));
        assertThat(store.keys("")).containsExactlyInAnyOrder("../../escaped", "tags/../..");
    }

    @Test
    void put_emptySegment_isRefused() {
        assertThatThrownBy(() -> store.put("repositories//app", bytes("{}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repositories//app");
    }

    @Test
    void keys_leftoverTemporaryFile_isNotADocument() throws IOException {
        store.put("tags/hub/app:1", bytes("{}"));
        Files.writeString(directory.resolve("tags/hub/.0f3a.tmp"), "{\"torn\":");

        assertThat(store.keys("")).containsExactly("tags/hub/app:1");
    }

    @Test
    void put_unwritableDirectory_failsSayingWhatWasAttempted() throws IOException {
        Files.writeString(root.resolve("metadata"), "a file where the directory should be");

        assertThatThrownBy(() -> store.put("repositories/app", bytes("{}")))
                .hasMessageContaining("storing document repositories/app in " + directory)
                .hasMessageContaining("failed");
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
