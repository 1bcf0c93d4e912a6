package io.cargohold.launcher;

import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks the blob store about one blob now and then (a stat: a file look-up, or a HEAD request to
 * the bucket) and keeps what it found: the storage answered within {@link #TIMEOUT}, or why not.
 */
final class StorageProbe implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofSeconds(10);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** The empty blob's digest: any answer, present or absent, will do. */
    private static final Digest PROBE = Digest.parse(
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    private final Vertx vertx;
    private final BlobStore store;
    private volatile String problem = "storage not checked yet";
    private long timer = -1;

    private StorageProbe(Vertx vertx, BlobStore store) {
        this.vertx = vertx;
        this.store = store;
    }

    /** Starts probing; the future completes after the first check, whatever it found. */
    static Future<StorageProbe> start(Vertx vertx, BlobStore store) {
        return start(vertx, store, INTERVAL);
    }

    static Future<StorageProbe> start(Vertx vertx, BlobStore store, Duration interval) {
        StorageProbe probe = new StorageProbe(vertx, store);
        return probe.check().map(v -> {
            probe.timer = vertx.setPeriodic(interval.toMillis(), id -> probe.check());
            return probe;
        });
    }

    /** Why the storage is not usable, or null when it answered the last check. */
    String problem() {
        return problem;
    }

    private Future<Void> check() {
        Future<?> stat;
        try {
            stat = store.stat(PROBE);
        } catch (RuntimeException e) {
            stat = Future.failedFuture(e);
        }
        return stat.timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .onSuccess(found -> problem = null)
                .onFailure(e -> problem = "storage did not answer: " + e.getMessage())
                .<Void>mapEmpty()
                .otherwiseEmpty();
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
