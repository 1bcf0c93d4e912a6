package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.GeneratedStream;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.testkit.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

class BlobFillTest {

    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        Await.await(vertx.close());
    }

    /**
     * {@code streams}: the store answers paused streams, as object stores do, rather than file
     * regions; a reader must start them itself.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reader_fillSettledByAnotherNodesDownload_readsWholeBlobFromStore(boolean streams) {
        FileSystemBlobStore files = new FileSystemBlobStore(vertx, dir);
        Await.await(files.initialize());
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
        Await.await(writer.write(Buffer.buffer(content)).compose(w -> writer.commit(digest)));
        context.runOnContext(v -> fill.stored(content.length,
                offset -> Future.failedFuture("a fill that spooled nothing needs no rest")));

        byte[] body = Await.await(received.future()).getBytes();
        assertThat(body.length).isEqualTo(content.length);
        assertThat(Digest.sha256(body)).isEqualTo(digest);
    }

    /**
     * A source that breaks off (a peer that died mid-blob) leaves what it delivered; the next source
     * continues from there, and a reader there from the start gets every byte once, in order.
     */
    @Test
    void append_sourceBreaksOff_nextSourceContinuesWhereItStopped() throws Exception {
        FileSystemBlobStore store = new FileSystemBlobStore(vertx, dir);
        Await.await(store.initialize());
        byte[] content = new byte[1024 * 1024 + 5];
        new SplittableRandom(11).nextBytes(content);
        Digest digest = Digest.sha256(content);
        Path source = java.nio.file.Files.write(dir.resolve("source"), content);
        int brokeAt = 400 * 1024 + 3;
        BlobFill fill = new BlobFill(digest, store, "fetching blob test");
        Context context = vertx.getOrCreateContext();
        Promise<Buffer> received = Promise.promise();
        Promise<Void> first = Promise.promise();
        context.runOnContext(v -> {
            Buffer body = Buffer.buffer();
            fill.reader(context).orElseThrow().handler(body::appendBuffer).exceptionHandler(received::tryFail)
                    .endHandler(end -> received.tryComplete(body));
            fill.append(part(source, 0, brokeAt, content.length)).onComplete(first);
        });

        Throwable broke = Await.await(first.future().map(v -> (Throwable) null).otherwise(e -> e));
        assertThat(broke).as("a source that ends short of the blob fails").hasMessageContaining("received");
        assertThat(fill.written()).isEqualTo(brokeAt);
        context.runOnContext(v -> fill.append(part(source, brokeAt, content.length - brokeAt, content.length - brokeAt))
                .onSuccess(done -> fill.commit()));

        byte[] body = Await.await(received.future()).getBytes();
        assertThat(body).isEqualTo(content);
        Await.await(fill.committed());
        assertThat(Await.await(store.stat(digest))).contains((long) content.length);
    }

    /** {@code length} bytes of {@code file} from {@code offset}, announced as {@code announced} bytes. */
    private Future<BlobContent.Stream> part(Path file, long offset, long length, long announced) {
        return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true))
                .map(opened -> new BlobContent.Stream(opened.setReadPos(offset).setReadLength(length).pause(),
                        announced));
    }

    /**
     * The spool file's writes run on a thread pool and may complete out of order: a reader following
     * the spool file may read only as far as every write before has reached it.
     */
    @Test
    void readableSpool_writesCompletingOutOfOrder_growsOnlyAsFarAsEveryWriteBeforeIsDone() {
        FileSystemBlobStore files = new FileSystemBlobStore(vertx, dir);
        Await.await(files.initialize());
        HeldWrites writer = new HeldWrites();
        long length = 2 * 64 * 1024;
        BlobFill fill = new BlobFill(Digest.sha256(new byte[0]), new WritingTo(files, writer), "fetching blob test");
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> fill.append(Future.succeededFuture(
                new BlobContent.Stream(new GeneratedStream(context, length, 3), length))));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (writer.writes.size() < 2 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        assertThat(writer.writes).hasSize(2);

        writer.writes.get(1).complete();
        assertThat(fill.readableSpool()).as("after the second write only").isZero();
        writer.writes.get(0).complete();
        assertThat(fill.readableSpool()).as("after both writes, short of the unverified last byte")
                .isEqualTo(length - 1);
    }

    /** A store that does what {@code files} does; subclasses change one operation. */
    private static class Delegating implements BlobStore {
        final BlobStore files;

        Delegating(BlobStore files) {
            this.files = files;
        }

        @Override
        public Future<Optional<Long>> stat(Digest digest) {
            return files.stat(digest);
        }

        @Override
        public Future<BlobContent> open(Digest digest, ByteRange range) {
            return files.open(digest, range);
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
        public Future<List<StoredBlob>> list(Digest after, int limit) {
            return files.list(after, limit);
        }

        @Override
        public Future<Boolean> delete(Digest digest) {
            return files.delete(digest);
        }
    }

    /** A filesystem store that answers reads as paused streams instead of file regions. */
    private final class PausedStreams extends Delegating {
        PausedStreams(FileSystemBlobStore files) {
            super(files);
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
    }

    /** A store whose new blobs are written to {@code writer}. */
    private static final class WritingTo extends Delegating {
        private final BlobWriter writer;

        WritingTo(BlobStore files, BlobWriter writer) {
            super(files);
            this.writer = writer;
        }

        @Override
        public BlobWriter create() {
            return writer;
        }
    }

    /** A writer whose writes complete when the test completes them; it never commits. */
    private static final class HeldWrites implements BlobWriter {
        final List<Promise<Void>> writes = new CopyOnWriteArrayList<>();

        @Override
        public Future<Void> write(Buffer data) {
            Promise<Void> write = Promise.promise();
            writes.add(write);
            return write.future();
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public Future<Void> commit(Digest expected) {
            return Promise.<Void>promise().future();
        }

        @Override
        public Future<Void> cancel() {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            return Future.succeededFuture();
        }

        @Override
        public BlobWriter exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public BlobWriter setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public BlobWriter drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}
