package io.cargohold.edge.proxy;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.WriteStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One upstream download of a blob into the store. It runs on its own, so a client that
 * disconnects does not waste it. Clients there from the first byte follow it live
 * ({@link FillReader}); clients that come later follow its spool file ({@link SpoolReader}).
 * The store verifies the digest on commit; content that does not match is never published.
 */
final class BlobFill implements WriteStream<Buffer> {

    private static final Logger LOG = LoggerFactory.getLogger(BlobFill.class);

    private final Digest digest;
    private final BlobStore store;
    private final String what;
    private final Promise<Long> length = Promise.promise();
    private final Promise<Void> committed = Promise.promise();
    /** Completes once the spool file holds a byte (it may not exist before), or the fill has ended. */
    private final Promise<Void> spooling = Promise.promise();
    private final List<FillReader> readers = new ArrayList<>();
    private final List<SpoolReader> followers = new ArrayList<>();
    private BlobWriter writer;
    private boolean started;
    private long written;
    private long spooled;
    /** Completes once every write so far is in the spool file (see {@link #write}). */
    private Future<Void> spooledSoFar = Future.succeededFuture();
    private boolean verified;
    private boolean done;

    /** {@code what} says what the fill is doing, for log lines and errors. */
    BlobFill(Digest digest, BlobStore store, String what) {
        this.digest = digest;
        this.store = store;
        this.what = what;
    }

    /** Fills from {@code upstream}, a blob response whose body is still paused. */
    synchronized void start(Future<BlobContent.Stream> upstream) {
        started = true;
        upstream.onComplete(response -> {
            if (response.failed()) {
                finish(response.cause());
                return;
            }
            BlobContent.Stream body = response.result();
            writer = store.create();
            length.complete(body.length());
            body.stream().pipe().endOnComplete(false).to(this).onComplete(piped -> piped(piped, body.length()));
        });
    }

    /**
     * Ends a fill that was never started: the blob of size {@code outcome} was stored by another
     * fill meanwhile, or the attempt to claim the fetch failed.
     */
    void settle(AsyncResult<Long> outcome) {
        synchronized (this) {
            if (started) {
                return;
            }
        }
        if (outcome.succeeded()) {
            length.complete(outcome.result());
            finish(null);
        } else {
            finish(outcome.cause());
        }
    }

    Digest digest() {
        return digest;
    }

    BlobStore store() {
        return store;
    }

    /** The blob's size, known once the upstream answered. */
    Future<Long> length() {
        return length.future();
    }

    /** Completes when the blob is verified and stored. */
    Future<Void> committed() {
        return committed.future();
    }

    /**
     * A reader of the whole blob following the download live, whose handlers run on {@code context};
     * empty once the download has begun (or ended), when the bytes so far are only in the spool
     * file: such a client {@link #follow}s that.
     */
    synchronized Optional<FillReader> reader(Context context) {
        if (written > 0 || done) {
            return Optional.empty();
        }
        FillReader reader = new FillReader(context, this);
        readers.add(reader);
        return Optional.of(reader);
    }

    synchronized void remove(FillReader reader) {
        readers.remove(reader);
    }

    /**
     * A reader of {@code range} following the spool file, whose handlers run on {@code context}; it
     * waits for the first byte to be spooled, so a client may join before the download has begun.
     * Empty when there is no spool file to follow (the store spools nowhere, or the fill has ended):
     * such a client waits for {@link #committed()} and is served from the store.
     */
    Future<Optional<SpoolReader>> follow(Context context, ByteRange range) {
        Promise<Void> onContext = Promise.promise();
        spooling.future().onComplete(spooled -> context.runOnContext(v -> onContext.complete()));
        return onContext.future().compose(v -> openSpool(context, range));
    }

    private Future<Optional<SpoolReader>> openSpool(Context context, ByteRange range) {
        Path spool;
        synchronized (this) {
            if (done || writer.spool().isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            spool = writer.spool().get();
        }
        return context.owner().fileSystem()
                .open(spool.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .map(file -> {
                    SpoolReader follower = new SpoolReader(context, this, file, range);
                    synchronized (this) {
                        followers.add(follower);
                    }
                    return Optional.of(follower);
                })
                // Renamed or deleted meanwhile: the fill has ended, and the store has the blob or not.
                .otherwise(Optional.empty());
    }

    synchronized void remove(SpoolReader follower) {
        followers.remove(follower);
    }

    /**
     * How much of the blob a {@link SpoolReader} may read: what the spool file holds, but not the
     * last byte before everything received is known to match the digest.
     */
    synchronized long readableSpool() {
        return verified || (done && committed.future().succeeded()) ? spooled
                : Math.min(spooled, length.future().result() - 1);
    }

    /** Why the fill was abandoned; null while it runs and once it is stored. */
    Throwable failure() {
        return committed.future().cause();
    }

    /**
     * Hands {@code data} to the live readers and the spool file. File writes are positional and run
     * on a thread pool, so they can complete out of order: the spooled count, which tells
     * {@link SpoolReader}s how far they may read, grows only in the order of the writes.
     */
    @Override
    public Future<Void> write(Buffer data) {
        List<FillReader> live;
        synchronized (this) {
            written += data.length();
            live = List.copyOf(readers);
        }
        live.forEach(reader -> reader.offer(data));
        Future<Void> write = writer.write(data);
        Future<Void> inOrder;
        synchronized (this) {
            spooledSoFar = spooledSoFar.compose(v -> write);
            inOrder = spooledSoFar;
        }
        return inOrder.onSuccess(v -> spooled(data.length()));
    }

    private void spooled(int bytes) {
        List<SpoolReader> following;
        synchronized (this) {
            spooled += bytes;
            following = List.copyOf(followers);
        }
        spooling.tryComplete();
        following.forEach(SpoolReader::progress);
    }

    private void piped(AsyncResult<Void> piped, long expectedLength) {
        // The upload is discarded before anyone hears of the failure: nothing is left behind.
        if (piped.failed()) {
            writer.cancel().onComplete(cancelled -> finish(piped.cause()));
        } else if (expectedLength >= 0 && written != expectedLength) {
            writer.cancel().onComplete(cancelled -> finish(
                    new IllegalStateException("received " + written + " of " + expectedLength + " bytes")));
        } else {
            releaseVerified();
            writer.commit(digest).onComplete(commit -> finish(commit.cause()));
        }
    }

    /**
     * Lets the readers following live have the last chunk as soon as everything received is known
     * to match the digest, without waiting for the store to make it durable (an fsync of the whole
     * blob, or an upload): that wait added the fsync's latency to every miss. Readers that fell
     * behind still wait for the commit, since they continue from the store.
     */
    private void releaseVerified() {
        if (writer.sha256().filter(digest::equals).isEmpty()) {
            return;
        }
        List<FillReader> live;
        List<SpoolReader> following;
        synchronized (this) {
            verified = true;
            live = List.copyOf(readers);
            following = List.copyOf(followers);
        }
        live.forEach(FillReader::verified);
        following.forEach(SpoolReader::progress);
    }

    private void finish(Throwable failure) {
        List<FillReader> live;
        List<SpoolReader> following;
        synchronized (this) {
            done = true;
            live = List.copyOf(readers);
            readers.clear();
            following = List.copyOf(followers);
        }
        spooling.tryComplete();
        if (failure == null) {
            committed.complete();
        } else {
            LOG.warn("{} failed, nothing was stored: {}", what, failure.getMessage());
            Throwable reported = failure instanceof RegistryException ? failure
                    : new UpstreamException(OciErrorCode.UNAVAILABLE, what + " failed: " + failure.getMessage(),
                            502, 0, failure);
            length.tryFail(reported);
            committed.fail(reported);
        }
        live.forEach(reader -> reader.complete(failure == null ? null : committed.future().cause()));
        following.forEach(SpoolReader::progress);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public Future<Void> end() {
        return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        writer.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return writer.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        writer.drainHandler(handler);
        return this;
    }
}
