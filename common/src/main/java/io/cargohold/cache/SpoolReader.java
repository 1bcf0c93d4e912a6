package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.streams.ReadStream;

/**
 * Follows a {@link BlobFill} already under way by reading its spool file as it grows: a client that
 * joins a download late gets the bytes received so far from the file, then each new one as it is
 * spooled, instead of waiting for the whole blob to be stored. Reads are positional and made only
 * on demand, so a slow client holds one chunk at most and never slows the fill. The last byte of
 * the blob is read only once the fill is verified, so a client never gets the whole of a blob whose
 * digest turns out wrong. The open file stays readable after the fill renames or deletes it.
 */
final class SpoolReader extends FillStream {

    static final int CHUNK_SIZE = 64 * 1024;

    private final Context context;
    private final BlobFill fill;
    private final AsyncFile file;
    private final long end;
    private long position;
    private long demand = Long.MAX_VALUE;
    private boolean reading;
    private boolean finished;

    /** Reads {@code range} of the blob from {@code file}, the fill's spool; handlers run on {@code context}. */
    SpoolReader(Context context, BlobFill fill, AsyncFile file, ByteRange range) {
        this.context = context;
        this.fill = fill;
        this.file = file;
        this.position = range.offset();
        this.end = range.offset() + range.length();
    }

    /** Called by the fill, on any thread, when more is spooled or the fill is verified or ended. */
    void progress() {
        context.runOnContext(v -> pump());
    }

    private void pump() {
        if (reading || finished || demand == 0) {
            return;
        }
        Throwable failure = fill.failure();
        if (failure != null) {
            finish(failure);
            return;
        }
        if (position == end) {
            finish(null);
            return;
        }
        long readable = Math.min(end, fill.readableSpool());
        if (position >= readable) {
            return;
        }
        int length = (int) Math.min(CHUNK_SIZE, readable - position);
        reading = true;
        file.read(Buffer.buffer(length), 0, position, length).onComplete(read -> {
            reading = false;
            if (read.failed()) {
                finish(read.cause());
                return;
            }
            Buffer chunk = read.result();
            position += chunk.length();
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            emit(chunk);
            pump();
        });
    }

    private void finish(Throwable failure) {
        finished = true;
        fill.remove(this);
        file.close();
        if (failure != null) {
            fail(failure);
        } else {
            end();
        }
    }

    @Override
    void started() {
        progress();
    }

    @Override
    void abandoned() {
        if (!finished) {
            finished = true;
            fill.remove(this);
            file.close();
        }
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        demand = plus(demand, amount);
        progress();
        return this;
    }
}
