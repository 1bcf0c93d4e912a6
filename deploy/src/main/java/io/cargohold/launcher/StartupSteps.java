package io.cargohold.launcher;

import io.cargohold.store.rocksdb.ImportProgress;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The steps a process takes to start, one after the other on the starting thread: what
 * {@code /readyz} says until the node serves ({@code starting: opening storage},
 * {@code loading metadata: 20000 of 105000}), and a log line with each step's duration. No step has
 * a time limit: a large cache takes as long as its storage needs, and a process still making
 * progress is not killed; what it waits on (storage, the cluster) fails on its own clients' time-outs,
 * and a long step logs every {@link #STILL_WAITING} what it is still doing.
 */
final class StartupSteps {

    static final Duration STILL_WAITING = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(StartupSteps.class);

    private final ImportProgress metadataImport;
    private final long began = System.nanoTime();
    private volatile String step = "launching";
    private volatile long stepBegan = began;

    StartupSteps(ImportProgress metadataImport) {
        this.metadataImport = metadataImport;
    }

    /** Runs one step, which may {@link #await} futures, and logs how long it took. */
    <T> T run(String name, Supplier<T> work) {
        step = name;
        stepBegan = System.nanoTime();
        T result = work.get();
        LOG.info("start-up: {} took {} ms", name, elapsedMillis(stepBegan));
        return result;
    }

    void run(String name, Runnable work) {
        run(name, () -> {
            work.run();
            return null;
        });
    }

    /** Logs the whole start-up's duration. */
    void finished() {
        LOG.info("start-up: ready to serve after {} ms", elapsedMillis(began));
    }

    /** What the start-up is doing, as {@code /readyz} says it. */
    String notReadyReason() {
        String loading = metadataImport.describe();
        return loading != null ? loading : "starting: " + step;
    }

    /**
     * Waits for a future of the current step, however long it takes; its own failure (a
     * {@code ConfigException}, say) is thrown as it is.
     */
    <T> T await(Future<T> future) {
        CompletableFuture<T> result = future.toCompletionStage().toCompletableFuture();
        while (true) {
            try {
                return result.get(STILL_WAITING.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                String loading = metadataImport.describe();
                LOG.info("start-up: still {} after {} s{}", step, elapsedMillis(stepBegan) / 1000,
                        loading == null ? "" : " (" + loading + ")");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(
                        step + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + step, e);
            }
        }
    }

    private static long elapsedMillis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
