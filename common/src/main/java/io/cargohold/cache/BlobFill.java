package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.DiscardableStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One download of a blob on this node: from the upstream into the store, or a copy of the
 * download another node runs, relayed from it (see {@link BlobFetcher}). It runs on its own, so a
 * client that disconnects does not waste it. Clients there from the first byte follow it live
 * ({@link FillReader}); clients that come later follow its spool file ({@link SpoolReader}).
 * Its bytes may come from several sources in turn, each continuing where the last broke off.
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
    private long written;
    private long spooled;
    /** Completes once every write so far is in the spool file (see {@link #write}). */
    private Future<Void> spooledSoFar = Future.succeededFuture();
    private boolean verified;
    private boolean done;
    /** Set once the spool is dropped (or being dropped): completes when it is gone. */
    private Future<Void> discarded;

    /** {@code what} says what the fill is doing, for log lines and errors. */
    BlobFill(Digest digest, BlobStore store, String what) {
        this.digest = digest;
        this.store = store;
        this.what = what;
    }

    /**
     * Appends {@code source}, a paused body of the blob's bytes from {@link #written()} on (the
     * upstream's, a peer's or the store's), to the spool and the readers. Completes once all of it
     * is spooled; fails when the source breaks off or disagrees on the size, leaving what was
     * spooled for the next source to continue from. The first source tells the blob's size.
     */
    Future<Void> append(Future<BlobContent.Stream> source) {
        return source.compose(body -> {
            long expected;
            synchronized (this) {
                if (writer == null) {
                    writer = store.create();
                }
                expected = body.length() < 0 ? -1 : written + body.length();
            }
            if (!length.tryComplete(expected) && length.future().result() != expected) {
                discard(body.stream());
                return Future.failedFuture(new IllegalStateException("the blob's size was " + length.future().result()
                        + " bytes, now " + expected));
            }
            return body.stream().pipe().endOnComplete(false).to(this)
                    .onFailure(failure -> {
                        // A failed write (a full disk) makes the pipe drain the rest: drop it instead.
                        if (body.stream() instanceof DiscardableStream unread) {
                            unread.discard();
                        }
                    })
                    .eventually(() -> body.stream() instanceof AsyncFile file ? file.close() : Future.succeededFuture())
                    .compose(piped -> {
                synchronized (this) {
                    return expected < 0 || written == expected ? Future.succeededFuture()
                            : Future.failedFuture(new IllegalStateException("received " + written + " of "
                                    + expected + " bytes"));
                }
            });
        });
    }

    /** Verifies everything appended and stores it; the fill ends once the store has it, or not. */
    void commit() {
        releaseVerified();
        writer.commit(digest).onComplete(commit -> finish(commit.cause()));
    }

    /**
     * The blob is stored, by another fill: a fill that spooled nothing ends at once; one that
     * spooled part of it (a peer's copy that broke off) first appends the rest from {@code rest}
     * (given the offset), so that its readers continue where they are.
     */
    void stored(long size, Function<Long, Future<BlobContent.Stream>> rest) {
        boolean whole;
        synchronized (this) {
            whole = writer == null || verified;
        }
        if (whole) {
            length.tryComplete(size);
            discardSpool().onComplete(v -> finish(null));
            return;
        }
        append(rest.apply(written())).compose(v -> discardVerified())
                .onSuccess(v -> finish(null))
                .onFailure(this::abandon);
    }

    /**
     * Verifies a complete copy relayed from the peer that fetches the blob, then drops the spool:
     * that peer stores the blob. The fill ends when {@link #stored} says it is stored.
     */
    Future<Void> discardVerified() {
        if (!releaseVerified()) {
            return discardSpool().compose(v -> Future.failedFuture(new IllegalStateException(
                    "the content received does not match " + digest)));
        }
        return discardSpool();
    }

    /** Ends the fill with {@code failure}; what was spooled is discarded first, nothing is left behind. */
    void abandon(Throwable failure) {
        discardSpool().onComplete(v -> finish(failure));
    }

    /** Drops the spool once the writes under way are in it, so that its followers get every byte. */
    private synchronized Future<Void> discardSpool() {
        if (writer == null) {
            return Future.succeededFuture();
        }
        if (discarded == null) {
            BlobWriter dropped = writer;
            discarded = spooledSoFar.eventually(dropped::cancel);
        }
        return discarded;
    }

    private static void discard(ReadStream<Buffer> body) {
        if (body instanceof DiscardableStream unread) {
            unread.discard();
        } else {
            body.handler(null);
            body.resume();
        }
    }

    /** True once a verified copy relayed from a peer was dropped: nothing is left here to store. */
    synchronized boolean relayedAndDropped() {
        return verified && discarded != null;
    }

    /** How many bytes were received and spooled (or are being spooled) so far. */
    synchronized long written() {
        return written;
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
            if (done || discarded != null || writer.spool().isEmpty()) {
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

    /**
     * Lets the readers following live have the last chunk as soon as everything received is known
     * to match the digest, without waiting for the store to make it durable (an fsync of the whole
     * blob, or an upload): that wait added the fsync's latency to every miss. Readers that fell
     * behind still wait for the commit, since they continue from the store.
     */
    private boolean releaseVerified() {
        if (writer.sha256().filter(digest::equals).isEmpty()) {
            return false;
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
        return true;
    }

    /** Ends the fill once; a second outcome (a failure reported on two paths) is ignored. */
    private void finish(Throwable failure) {
        List<FillReader> live;
        List<SpoolReader> following;
        synchronized (this) {
            if (done) {
                return;
            }
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
