package io.cargohold.store;

import io.cargohold.oci.Digest;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A stream of {@code size} pseudo-random bytes made on the fly and hashed as they go out, so a
 * test can push a large blob through a store without holding it in memory. Honours pause, resume
 * and fetch; emits on the given context.
 */
public final class GeneratedStream implements ReadStream<Buffer> {

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS_PER_TURN = 16;

    private final Context context;
    private final long size;
    private final byte[] block = new byte[CHUNK];
    private final MessageDigest hasher = Digest.sha256Hasher();
    private long emitted;
    private long demand = Long.MAX_VALUE;
    private long pauses;
    private boolean scheduled;
    private boolean ended;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;

    public GeneratedStream(Context context, long size, long seed) {
        this.context = context;
        this.size = size;
        new SplittableRandom(seed).nextBytes(block);
    }

    /** The digest of everything emitted; complete once the stream has ended. */
    public synchronized Digest digest() {
        if (!ended) {
            throw new IllegalStateException("stream has not ended");
        }
        try {
            return Digest.of((MessageDigest) hasher.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized long emitted() {
        return emitted;
    }

    /** How often the consumer paused this stream: above zero when back-pressure worked. */
    public synchronized long pauses() {
        return pauses;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        schedule();
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> pause() {
        if (demand != 0) {
            pauses++;
        }
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public synchronized ReadStream<Buffer> fetch(long amount) {
        demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
        schedule();
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        schedule();
        return this;
    }

    private void schedule() {
        if (!scheduled && handler != null && !ended) {
            scheduled = true;
            context.runOnContext(v -> emit());
        }
    }

    private void emit() {
        for (int turn = 0; turn < CHUNKS_PER_TURN; turn++) {
            Buffer chunk;
            Handler<Buffer> target;
            Handler<Void> end = null;
            synchronized (this) {
                if (ended || demand == 0 || handler == null) {
                    scheduled = false;
                    return;
                }
                if (emitted == size) {
                    ended = true;
                    scheduled = false;
                    end = endHandler;
                    target = null;
                    chunk = null;
                } else {
                    chunk = nextChunk();
                    target = handler;
                    if (demand != Long.MAX_VALUE) {
                        demand--;
                    }
                }
            }
            if (chunk == null) {
                if (end != null) {
                    end.handle(null);
                }
                return;
            }
            target.handle(chunk);
        }
        synchronized (this) {
            scheduled = false;
            schedule();
        }
    }

    private Buffer nextChunk() {
        int length = (int) Math.min(CHUNK, size - emitted);
        byte[] bytes = block.clone();
        long index = emitted / CHUNK;
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (index >>> (8 * i));
        }
        hasher.update(bytes, 0, length);
        emitted += length;
        return Buffer.buffer(length == CHUNK ? bytes : Arrays.copyOf(bytes, length));
    }
}
