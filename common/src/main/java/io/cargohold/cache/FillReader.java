package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.cargohold.spi.BlobContent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;

/**
 * Follows a {@link BlobFill} for one client from its first byte. Chunks arrive live while the
 * client keeps up; a client that falls more than {@link #MAX_QUEUED} bytes behind stops taking
 * live chunks and reads the rest from the fill's spool file as it grows ({@link SpoolReader}), or
 * from the store where there is no spool file to follow. Memory per client stays bounded and a
 * slow client never slows the fill.
 */
final class FillReader extends FillStream {

    static final long MAX_QUEUED = 2L * 1024 * 1024;

    private final Context context;
    private final BlobFill fill;
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private long queued;
    private long delivered;
    private boolean lagging;
    private boolean fillDone;
    private Throwable failure;
    private boolean finished;
    private long demand = Long.MAX_VALUE;
    private ReadStream<Buffer> tail;

    FillReader(Context context, BlobFill fill) {
        this.context = context;
        this.fill = fill;
    }

    /** Called by the fill, on its own thread, for each chunk it receives. */
    void offer(Buffer chunk) {
        synchronized (this) {
            if (lagging) {
                return;
            }
            if (queued + chunk.length() > MAX_QUEUED) {
                lagging = true;
                return;
            }
            queue.add(chunk);
            queued += chunk.length();
        }
        context.runOnContext(v -> drain());
    }

    /**
     * Called by the fill, after its last chunk, when what it received matches the digest: a reader
     * that took every chunk live may then deliver the last one and end, before the blob is stored.
     */
    void verified() {
        synchronized (this) {
            if (lagging || fillDone) {
                return;
            }
            fillDone = true;
        }
        context.runOnContext(v -> drain());
    }

    /** Called by the fill when it is stored ({@code failure} null) or abandoned. */
    void complete(Throwable failure) {
        synchronized (this) {
            if (fillDone && this.failure == null && !lagging) {
                return;   // verified already: the content this reader delivers is known to be right
            }
            fillDone = true;
            this.failure = failure;
        }
        context.runOnContext(v -> drain());
    }

    private void drain() {
        while (true) {
            Buffer chunk;
            synchronized (this) {
                if (tail != null || finished || demand == 0) {
                    return;
                }
                // The last chunk received is held back until the fill is verified (see verified()),
                // so a client never gets the whole of a blob whose digest turns out wrong. A lagging
                // reader's queue never holds the blob's last chunk: it stopped taking chunks before.
                if (queue.isEmpty() || (queue.size() == 1 && !lagging && !(fillDone && failure == null))) {
                    break;
                }
                chunk = queue.poll();
                queued -= chunk.length();
                delivered += chunk.length();
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
            }
            emit(chunk);
        }
        boolean readTail;
        synchronized (this) {
            if (!(fillDone || lagging) || finished) {
                return;
            }
            finished = true;
            // A fill settled by another node's download (or a commit seen meanwhile) never passed
            // its bytes through here, and a lagging reader took only some: the rest is read as a tail.
            readTail = failure == null && (lagging || delivered < fill.length().result());
        }
        if (failure != null) {
            fill.remove(this);
            fail(failure);
        } else if (readTail) {
            readTail();
        } else {
            end();
        }
    }

    /**
     * Reads what was not delivered live from the fill's spool file while the fill runs, so that a
     * reader that fell behind catches up without waiting for the blob to be stored; from the store
     * once it is (or where the store spools nowhere).
     */
    private void readTail() {
        fill.remove(this);
        ByteRange rest = new ByteRange(delivered, fill.length().result() - delivered);
        fill.follow(context, rest)
                .compose(spool -> spool.isPresent() ? Future.<ReadStream<Buffer>>succeededFuture(spool.get())
                        : fill.committed().compose(v -> fill.store().open(fill.digest(), rest)).compose(content -> streamOf(context, content)))
                .onSuccess(stream -> {
                    synchronized (this) {
                        tail = stream;
                    }
                    stream.handler(dataHandler())
                            .endHandler(v -> close(stream).onComplete(closed -> end()))
                            .exceptionHandler(e -> {
                                close(stream);
                                fail(e);
                            });
                    // Store streams start paused (BlobContent.Stream); files flow once handled.
                    if (demand == 0) {
                        stream.pause();
                    } else if (demand == Long.MAX_VALUE) {
                        stream.resume();
                    } else {
                        stream.pause().fetch(demand);
                    }
                })
                .onFailure(this::fail);
    }

    /** A file opened for the tail is not closed by reaching its end. */
    private static Future<Void> close(ReadStream<Buffer> stream) {
        return stream instanceof AsyncFile file ? file.close() : Future.succeededFuture();
    }

    /** Stored content as a stream: a file region is opened as a file limited to the region. */
    static Future<ReadStream<Buffer>> streamOf(Context context, BlobContent content) {
        if (content instanceof BlobContent.Stream stream) {
            return Future.succeededFuture(stream.stream());
        }
        BlobContent.FileRegion region = (BlobContent.FileRegion) content;
        return context.owner().fileSystem().open(region.file().toString(), new OpenOptions().setRead(true))
                .map(file -> file.setReadPos(region.offset()).setReadLength(region.length()));
    }

    @Override
    void started() {
        // Chunks already flow to the reader from the fill; the client takes them as it asks (fetch).
    }

    @Override
    void abandoned() {
        fill.remove(this);
    }

    @Override
    public ReadStream<Buffer> pause() {
        ReadStream<Buffer> current;
        synchronized (this) {
            demand = 0;
            current = tail;
        }
        if (current != null) {
            current.pause();
        }
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        ReadStream<Buffer> current;
        synchronized (this) {
            demand = plus(demand, amount);
            current = tail;
        }
        if (current == null) {
            context.runOnContext(v -> drain());
        } else if (amount == Long.MAX_VALUE) {
            current.resume();
        } else {
            current.fetch(amount);
        }
        return this;
    }
}
