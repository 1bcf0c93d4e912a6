package io.cargohold.store.tier;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One copy of a blob from the backing store into the tier: a second, independent read of the whole
 * blob streamed into a tier writer, which hashes it as it goes, and on commit verifies it against
 * the digest and renames it into place (so a corrupt backing blob is never published). Abandoned,
 * with its spool file deleted, after a timeout, so a stalled backing store cannot hold a fill forever.
 */
final class TierFill {

    private final Vertx vertx;
    private final BlobWriter writer;
    private Pipe<Buffer> pipe;

    private TierFill(Vertx vertx, BlobWriter writer) {
        this.vertx = vertx;
        this.writer = writer;
    }

    /** Copies {@code size} bytes of {@code digest} from {@code backing} into {@code tier}; fails on a mismatch. */
    static Future<Void> run(Vertx vertx, BlobStore backing, FileSystemBlobStore tier, Digest digest, long size,
                            Duration timeout) {
        TierFill fill = new TierFill(vertx, tier.create());
        return backing.open(digest, ByteRange.all(size))
                .compose(fill::copy)
                .compose(v -> fill.writer.commit(digest))
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .recover(fill::abandon);
    }

    private Future<Void> copy(BlobContent content) {
        if (content instanceof BlobContent.Stream stream) {
            return pipe(stream.stream());
        }
        BlobContent.FileRegion region = (BlobContent.FileRegion) content;
        return vertx.fileSystem()
                .open(region.file().toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .compose(file -> pipe(file.setReadPos(region.offset()).setReadLength(region.length()))
                        .eventually(file::close));
    }

    private synchronized Future<Void> pipe(ReadStream<Buffer> source) {
        pipe = source.pipe();
        return pipe.to(writer);
    }

    /** Stops reading the backing store and deletes the spool file, then fails with {@code cause}. */
    private Future<Void> abandon(Throwable cause) {
        synchronized (this) {
            if (pipe != null) {
                pipe.close();
            }
        }
        return writer.cancel().transform(v -> Future.failedFuture(cause));
    }
}
