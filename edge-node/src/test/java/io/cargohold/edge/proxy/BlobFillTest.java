package io.cargohold.edge.proxy;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BlobFillTest {

    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        EdgeHarness.await(vertx.close());
    }

    /**
     * {@code streams}: the store answers paused streams, as object stores do, rather than file
     * regions; a reader must start them itself.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reader_fillSettledByAnotherNodesDownload_readsWholeBlobFromStore(boolean streams) {
        FileSystemBlobStore files = new FileSystemBlobStore(vertx, dir);
        EdgeHarness.await(files.initialize());
        BlobStore store = streams ? new PausedStreams(files) : files;
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new SplittableRandom(7).nextBytes(content);
        Digest digest = Digest.sha256(content);
        BlobFill fill = new BlobFill(digest, store, "fetching blob test");
        Context context = vertx.getOrCreateContext();
        Promise<Buffer> received = Promise.promise();
        context.runOnContext(v -> {
            Buffer body = Buffer.buffer();
            fill.reader(context).orElseThrow().handler(body::appendBuffer).exceptionHandler(received::tryFail)
                    .endHandler(end -> received.tryComplete(body));
        });

        BlobWriter writer = store.create();
        EdgeHarness.await(writer.write(Buffer.buffer(content)).compose(w -> writer.commit(digest)));
        context.runOnContext(v -> fill.settle(Future.succeededFuture((long) content.length)));

        byte[] body = EdgeHarness.await(received.future()).getBytes();
        assertThat(body.length).isEqualTo(content.length);
        assertThat(Digest.sha256(body)).isEqualTo(digest);
    }

    /** A filesystem store that answers reads as paused streams instead of file regions. */
    private final class PausedStreams implements BlobStore {
        private final FileSystemBlobStore files;

        PausedStreams(FileSystemBlobStore files) {
            this.files = files;
        }

        @Override
        public Future<Optional<Long>> stat(Digest digest) {
            return files.stat(digest);
        }

        @Override
        public Future<BlobContent> open(Digest digest, ByteRange range) {
            return files.open(digest, range).compose(content -> {
                BlobContent.FileRegion region = (BlobContent.FileRegion) content;
                return vertx.fileSystem().open(region.file().toString(), new OpenOptions().setRead(true))
                        .map(file -> new BlobContent.Stream(file.pause().setReadPos(region.offset())
                                .setReadLength(region.length()), region.length()));
            });
        }

        @Override
        public BlobWriter create() {
            return files.create();
        }

        @Override
        public Future<List<StoredBlob>> list() {
            return files.list();
        }

        @Override
        public Future<Boolean> delete(Digest digest) {
            return files.delete(digest);
        }
    }
}
