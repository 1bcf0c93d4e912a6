package io.cargohold.store;

import io.cargohold.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

import java.security.MessageDigest;

/** A sink that hashes what it is written, and keeps it too when asked (for small blobs only). */
public final class DigestingWriteStream implements WriteStream<Buffer> {

    private final MessageDigest hasher = Digest.sha256Hasher();
    private final Buffer kept;
    private long size;

    public DigestingWriteStream(boolean keep) {
        this.kept = keep ? Buffer.buffer() : null;
    }

    public synchronized Digest digest() {
        try {
            return Digest.of((MessageDigest) hasher.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized long size() {
        return size;
    }

    /** What was written; only when made with {@code keep}. */
    public synchronized Buffer content() {
        return kept;
    }

    @Override
    public synchronized Future<Void> write(Buffer data) {
        hasher.update(data.getBytes());
        size += data.length();
        if (kept != null) {
            kept.appendBuffer(data);
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
        return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
        return this;
    }
}
