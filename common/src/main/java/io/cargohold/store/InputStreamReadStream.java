package io.cargohold.store;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * A blocking {@link InputStream} (an object-store response body) as a Vert.x {@link ReadStream}.
 * Chunks are read one at a time on a worker thread, and only while there is demand, so a paused
 * consumer stops the reading (and, through the socket, the sender); events are delivered on the
 * given context. The stream starts paused: piping it ({@code pipeTo}, {@code send}) starts it.
 * The input is closed at the end, on a failure, and when the consumer sets a {@code null} handler
 * before the end (as a pipe does when its destination fails), which abandons the stream.
 */
public final class InputStreamReadStream implements ReadStream<Buffer> {

    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;

    private final Context context;
    private final InputStream input;
    private final int chunkSize;
    private long demand;
    private boolean reading;
    private boolean done;
    private boolean closed;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    public InputStreamReadStream(Context context, InputStream input, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        }
        this.context = context;
        this.input = input;
        this.chunkSize = chunkSize;
    }

    public InputStreamReadStream(Context context, InputStream input) {
        this(context, input, DEFAULT_CHUNK_SIZE);
    }

    @Override
    public synchronized InputStreamReadStream exceptionHandler(Handler<Throwable> handler) {
        exceptionHandler = handler;
        return this;
    }

    @Override
    public InputStreamReadStream handler(Handler<Buffer> handler) {
        boolean abandon;
        synchronized (this) {
            abandon = handler == null && !done;
            this.handler = handler;
            if (abandon) {
                done = true;
            }
        }
        if (abandon) {
            closeWhenIdle();
        } else {
            readIfWanted();
        }
        return this;
    }

    @Override
    public synchronized InputStreamReadStream pause() {
        demand = 0;
        return this;
    }

    @Override
    public InputStreamReadStream resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public InputStreamReadStream fetch(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("negative fetch: " + amount);
        }
        synchronized (this) {
            demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
        }
        readIfWanted();
        return this;
    }

    @Override
    public synchronized InputStreamReadStream endHandler(Handler<Void> handler) {
        endHandler = handler;
        return this;
    }

    private void readIfWanted() {
        synchronized (this) {
            if (reading || done || handler == null || demand == 0) {
                return;
            }
            reading = true;
        }
        context.executeBlocking(this::readChunk, false).onComplete(this::onChunk);
    }

    /** On a worker thread: the next chunk, or null at the end of the input. */
    private Buffer readChunk() throws IOException {
        byte[] chunk = input.readNBytes(chunkSize);
        return chunk.length == 0 ? null : Buffer.buffer(chunk);
    }

    /** On the context: delivers one chunk, the end or the failure, then reads on if still wanted. */
    private void onChunk(AsyncResult<Buffer> read) {
        Handler<Buffer> data = null;
        Handler<Void> end = null;
        Handler<Throwable> failed = null;
        boolean close = false;
        synchronized (this) {
            reading = false;
            if (done) {
                close = true;                       // abandoned while this chunk was being read
            } else if (read.failed()) {
                done = close = true;
                failed = exceptionHandler;
            } else if (read.result() == null) {
                done = close = true;
                end = endHandler;
            } else {
                data = handler;
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
            }
        }
        if (close) {
            closeWhenIdle();
        }
        if (failed != null) {
            failed.handle(read.cause());
        } else if (end != null) {
            end.handle(null);
        } else if (data != null) {
            data.handle(read.result());
            readIfWanted();
        }
    }

    /** Closes the input on a worker thread, unless a read is still running (its completion closes it). */
    private void closeWhenIdle() {
        synchronized (this) {
            if (reading || closed) {
                return;
            }
            closed = true;
        }
        context.executeBlocking(() -> {
            input.close();
            return null;
        }, false);
    }
}
