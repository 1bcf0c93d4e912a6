package io.cargohold.store.fs;

import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobWriter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * An upload to a temporary file, hashed (sha256) as it is written. Writes go to a Vert.x
 * {@link AsyncFile}, whose write queue gives the back-pressure; writes made before the file is open
 * are held, and count towards the same queue limit.
 */
final class FileSystemBlobWriter implements BlobWriter {

    private static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 128 * 1024;

    private final FileSystemBlobStore store;
    private final Path temp;
    private final MessageDigest hasher = Digest.sha256Hasher();
    private final byte[] scratch = new byte[16 * 1024];
    private final Queue<Pending> pending = new ArrayDeque<>();
    private final Future<AsyncFile> opened;
    private AsyncFile file;
    private Throwable failure;
    private long size;
    private long pendingBytes;
    private int writeQueueMaxSize = DEFAULT_WRITE_QUEUE_MAX_SIZE;
    private Handler<Void> drainHandler;
    private Handler<Throwable> exceptionHandler;
    private Future<Void> closed;
    private boolean finished;

    FileSystemBlobWriter(FileSystemBlobStore store, Path temp, Future<AsyncFile> opening) {
        this.store = store;
        this.temp = temp;
        this.opened = opening.andThen(ar -> {
            if (ar.succeeded()) {
                onOpened(ar.result());
            } else {
                onOpenFailed(ar.cause());
            }
        });
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized Future<Void> write(Buffer data) {
        if (closed != null) {
            return Future.failedFuture(new IllegalStateException("blob writer is closed"));
        }
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        hash(data);
        size += data.length();
        if (file == null) {
            Promise<Void> promise = Promise.promise();
            pending.add(new Pending(data, promise));
            pendingBytes += data.length();
            return promise.future();
        }
        return track(file.write(data));
    }

    @Override
    public synchronized boolean writeQueueFull() {
        return file == null ? pendingBytes >= writeQueueMaxSize : file.writeQueueFull();
    }

    @Override
    public synchronized BlobWriter setWriteQueueMaxSize(int maxSize) {
        writeQueueMaxSize = maxSize;
        if (file != null) {
            file.setWriteQueueMaxSize(maxSize);
        }
        return this;
    }

    @Override
    public synchronized BlobWriter drainHandler(Handler<Void> handler) {
        drainHandler = handler;
        if (file != null) {
            file.drainHandler(handler);
        }
        return this;
    }

    @Override
    public synchronized BlobWriter exceptionHandler(Handler<Throwable> handler) {
        exceptionHandler = handler;
        return this;
    }

    /** No more writes; completes when everything written reached the file and the file is closed. */
    @Override
    public Future<Void> end() {
        return close();
    }

    @Override
    public Future<Void> commit(Digest expected) {
        Future<Void> done;
        synchronized (this) {
            if (finished) {
                return Future.failedFuture(new IllegalStateException("blob writer already committed or cancelled"));
            }
            finished = true;
        }
        done = close().transform(ar -> {
            Throwable cause = ar.failed() ? ar.cause() : failure();
            if (cause != null) {
                return store.delete(temp).transform(v -> Future.failedFuture(cause));
            }
            return store.publish(temp, Digest.of(hasher), expected);
        });
        return done;
    }

    @Override
    public Future<Void> cancel() {
        synchronized (this) {
            if (finished) {
                return Future.succeededFuture();
            }
            finished = true;
        }
        return close().transform(ar -> store.delete(temp));
    }

    private synchronized Throwable failure() {
        return failure;
    }

    private Future<Void> close() {
        synchronized (this) {
            if (closed == null) {
                closed = opened.compose(AsyncFile::close);
            }
            return closed;
        }
    }

    private void hash(Buffer data) {
        for (int start = 0; start < data.length(); start += scratch.length) {
            int end = Math.min(data.length(), start + scratch.length);
            data.getBytes(start, end, scratch, 0);
            hasher.update(scratch, 0, end - start);
        }
    }

    private Future<Void> track(Future<Void> write) {
        return write.onFailure(this::fail);
    }

    private void onOpened(AsyncFile opened) {
        Handler<Void> drain;
        synchronized (this) {
            file = opened;
            file.setWriteQueueMaxSize(writeQueueMaxSize);
            file.exceptionHandler(this::fail);
            for (Pending write; (write = pending.poll()) != null; ) {
                track(file.write(write.data())).onComplete(write.promise());
            }
            pendingBytes = 0;
            drain = drainHandler;
        }
        if (drain != null) {
            opened.drainHandler(drain);
        }
    }

    private void onOpenFailed(Throwable cause) {
        Queue<Pending> failed;
        synchronized (this) {
            failure = cause;
            failed = new ArrayDeque<>(pending);
            pending.clear();
        }
        failed.forEach(write -> write.promise().fail(cause));
        fail(cause);
    }

    private void fail(Throwable cause) {
        Handler<Throwable> handler;
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
            handler = exceptionHandler;
        }
        if (handler != null) {
            handler.handle(cause);
        }
    }

    private record Pending(Buffer data, Promise<Void> promise) {
    }
}
