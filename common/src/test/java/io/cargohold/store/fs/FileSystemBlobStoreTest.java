package io.cargohold.store.fs;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.store.BlobStoreContractTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FileSystemBlobStoreTest extends BlobStoreContractTest {

    @TempDir
    Path root;

    private FileSystemBlobStore fileStore;

    @Override
    protected Future<BlobStore> newStore(Vertx vertx) {
        fileStore = new FileSystemBlobStore(vertx, root);
        return fileStore.initialize().map(fileStore);
    }

    @Override
    protected Future<Long> uploadsInProgress() {
        return vertx.executeBlocking(() -> {
            try (Stream<Path> files = Files.list(fileStore.uploadsDirectory())) {
                return files.count();
            }
        });
    }

    @Test
    void commit_sha256Blob_isStoredUnderAlgorithmAndHexPrefix(VertxTestContext test) {
        byte[] content = bytes("layout");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.open(digest, new ByteRange(1, 3)))
                .onComplete(verify(test, blob -> {
                    Path expected = root.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2))
                            .resolve(digest.hex());
                    assertThat(blob).isEqualTo(new BlobContent.FileRegion(expected.toAbsolutePath(), 1, 3));
                    assertThat(expected).hasBinaryContent(content);
                }));
    }

    @Test
    void initialize_uploadsLeftByACrash_removesThemWhateverTheirAge(VertxTestContext test) throws IOException {
        Path old = Files.writeString(fileStore.uploadsDirectory().resolve("old"), "left by a crash");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path fresh = Files.writeString(fileStore.uploadsDirectory().resolve("fresh"), "left by a kill -9 just now");
        new FileSystemBlobStore(vertx, root).initialize()
                .onComplete(verify(test, v -> {
                    assertThat(old).doesNotExist();
                    assertThat(fresh).doesNotExist();
                }));
    }

    @Test
    void removeStaleUploads_orphanAndOpenWriter_removesOnlyTheOrphan(VertxTestContext test) throws IOException {
        Path orphan = Files.writeString(fileStore.uploadsDirectory().resolve("orphan"), "no writer owns it");
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        BlobWriter open = store.create();
        on(() -> open.write(Buffer.buffer("being written")))
                .compose(v -> fileStore.removeStaleUploads(Duration.ZERO))
                .compose(removed -> uploadsInProgress().map(left -> {
                    assertThat(removed).isEqualTo(1);
                    assertThat(orphan).doesNotExist();
                    assertThat(left).as("the open writer's upload").isEqualTo(1);
                    return left;
                }))
                .compose(left -> open.commit(Digest.sha256("being written".getBytes(StandardCharsets.UTF_8))))
                .onComplete(verify(test, v -> { }));
    }

    @Test
    void open_rangeBeyondEnd_failsRangeInvalid(VertxTestContext test) {
        byte[] content = bytes("short");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> failureOf(store.open(digest, new ByteRange(3, 10))))
                .onComplete(verify(test, failure -> assertThat(failure)
                        .hasFieldOrPropertyWithValue("code", OciErrorCode.RANGE_INVALID)));
    }

    @Test
    void list_committedBlobsAndStrayFiles_answersOnlyTheBlobs(VertxTestContext test) throws IOException {
        byte[] content = bytes("listed");
        Digest digest = Digest.sha256(content);
        Path blobs = root.resolve("blobs/sha256");
        Files.createDirectories(blobs.resolve("zz"));
        Files.writeString(blobs.resolve("zz/not-a-digest"), "stray");
        Files.writeString(blobs.resolve("zz").resolve("f".repeat(64)), "misplaced");
        on(() -> write(content).commit(digest))
                .compose(v -> fileStore.list())
                .onComplete(verify(test, found -> {
                    assertThat(found).singleElement().satisfies(blob -> {
                        assertThat(blob.digest()).isEqualTo(digest);
                        assertThat(blob.size()).isEqualTo(content.length);
                        assertThat(blob.lastModified()).isEqualTo(lastModified(fileStore.blobPath(digest)));
                    });
                }));
    }

    private static Instant lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
