package io.cargohold.store;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.oci.error.StorageFullException;
import io.cargohold.spi.BlobWriter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.function.Function;

/**
 * An upload spooled to a local temporary file, hashed (sha256) as it is written. Writes go to a
 * Vert.x {@link AsyncFile}, whose write queue gives the back-pressure; writes made before the file
 * is open are held, and count towards the same queue limit. On commit the closed file is handed to
 * the store's {@link Publisher}, which verifies it and makes it visible (a rename on a filesystem,
 * an upload to an object store); on a failure or cancel it is handed to the store's discard. A write
 * that finds the disk full fails with {@link StorageFullException}.
 */
public final class SpooledBlobWriter implements BlobWriter {

    /** Verifies a closed spool file against the expected digest and publishes it; runs once per writer. */
    @FunctionalInterface
    public interface Publisher {
        /** {@code computed} is the sha256 digest hashed while writing. */
        Future<Void> publish(Path spoolFile, Digest computed, Digest expected);
    }

    private static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 128 * 1024;

    private final Path temp;
    private final Publisher publisher;
    private final Function<Path, Future<Void>> discard;
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

    /**
     * @param temp      the spool file, created by {@code opening}
     * @param opening   opens {@code temp} for writing
     * @param publisher publishes the closed file on commit
     * @param discard   deletes the spool file after a failed write or a cancel
     */
    public SpooledBlobWriter(Path temp, Future<AsyncFile> opening, Publisher publisher,
                             Function<Path, Future<Void>> discard) {
        this.temp = temp;
        this.publisher = publisher;
        this.discard = discard;
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
    public Optional<Path> spool() {
        return Optional.of(temp);
    }

    @Override
    public synchronized Optional<Digest> sha256() {
        try {
            return Optional.of(Digest.of((MessageDigest) hasher.clone()));
        } catch (CloneNotSupportedException e) {
            return Optional.empty();
        }
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
                return discard.apply(temp).transform(v -> Future.failedFuture(cause));
            }
            return publisher.publish(temp, Digest.of(hasher), expected);
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
        return close().transform(ar -> discard.apply(temp));
    }

    /**
     * Checks a spool file against {@code expected}, hashing it again only when {@code expected} uses
     * another algorithm than sha256; throws DIGEST_INVALID on a mismatch. Blocking.
     */
    public static void verify(Path spoolFile, Digest computed, Digest expected) throws IOException {
        Digest actual = computed.algorithm().equals(expected.algorithm()) ? computed : hash(spoolFile, expected);
        if (!actual.equals(expected)) {
            throw new RegistryException(OciErrorCode.DIGEST_INVALID,
                    "provided digest did not match uploaded content", expected.value());
        }
    }

    /**
     * The usable space of the filesystem holding the spool directory {@code directory}; empty when it
     * does not exist (Java answers 0 then), as before a store is initialized.
     */
    public static OptionalLong usableSpace(Path directory) {
        long free = directory.toFile().getUsableSpace();
        return free > 0 || Files.isDirectory(directory) ? OptionalLong.of(free) : OptionalLong.empty();
    }

    private static Digest hash(Path file, Digest like) throws IOException {
        MessageDigest hasher = like.newHasher();
        byte[] chunk = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                hasher.update(chunk, 0, n);
            }
        }
        return Digest.of(hasher);
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
        return write.recover(cause -> Future.failedFuture(fail(cause)));
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

    /** Records the writer's first failure; answers {@code cause}, as a {@link StorageFullException} when the disk is full. */
    private Throwable fail(Throwable cause) {
        Handler<Throwable> handler;
        Throwable reported;
        synchronized (this) {
            reported = StorageFullException.isNoSpace(cause) ? new StorageFullException(
                    "no space left on device for the spool file " + temp.getFileName() + " after " + size + " bytes",
                    size, cause) : cause;
            if (failure == null) {
                failure = reported;
            }
            handler = exceptionHandler;
        }
        if (handler != null) {
            handler.handle(reported);
        }
        return reported;
    }

    private record Pending(Buffer data, Promise<Void> promise) {
    }
}
