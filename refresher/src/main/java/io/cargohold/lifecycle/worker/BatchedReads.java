package io.cargohold.lifecycle.worker;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads for a page of repositories, a few at a time: the metadata store reads storage on the shared
 * worker pool, and a page's reads all at once would queue requests' blocking work behind them.
 */
final class BatchedReads {

    /**
     * Repositories read at once: each is up to two blocking reads, so this keeps the lifecycle to
     * under half of Vert.x's default worker pool of 20 threads.
     */
    static final int IN_FLIGHT = 4;

    private BatchedReads() {
    }

    /** {@code read} of each of {@code repositories} (names or records), in their order. */
    static <R, T> Future<List<T>> read(List<R> repositories, Function<R, Future<T>> read) {
        List<T> results = new ArrayList<>(repositories.size());
        Future<Void> chain = Future.succeededFuture();
        for (int start = 0; start < repositories.size(); start += IN_FLIGHT) {
            List<R> batch = repositories.subList(start, Math.min(repositories.size(), start + IN_FLIGHT));
            chain = chain.compose(v -> {
                List<Future<T>> reads = batch.stream().map(read).toList();
                return Future.all(reads).<Void>map(done -> {
                    reads.forEach(each -> results.add(each.result()));
                    return null;
                });
            });
        }
        return chain.map(results);
    }
}
