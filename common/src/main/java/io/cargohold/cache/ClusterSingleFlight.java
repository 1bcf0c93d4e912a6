package io.cargohold.cache;

import io.cargohold.spi.FetchLeases;
import io.vertx.core.Future;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * One upstream fetch per key across the cluster: the caller that claims the key's lease fetches;
 * the others wait until it is released, then find the result in the shared cache. When the
 * holder died instead, its lease lapses and one of the waiters claims it and fetches.
 */
final class ClusterSingleFlight {

    private final FetchLeases leases;

    ClusterSingleFlight(FetchLeases leases) {
        this.leases = leases;
    }

    /**
     * Answers what {@code cached} finds, or else what {@code fetch} produces while holding the
     * key's lease; {@code cached} is asked again after every wait and once the lease is held.
     */
    <T> Future<T> run(String key, Supplier<Future<Optional<T>>> cached, Supplier<Future<T>> fetch) {
        return cached.get().compose(hit -> hit.isPresent() ? Future.succeededFuture(hit.get())
                : leases.claim(key).compose(claim -> claim.held()
                        ? fetchHolding(claim, cached, fetch)
                        : claim.released().compose(v -> run(key, cached, fetch))));
    }

    private static <T> Future<T> fetchHolding(FetchLeases.Claim claim, Supplier<Future<Optional<T>>> cached,
                                              Supplier<Future<T>> fetch) {
        return cached.get()
                .compose(hit -> hit.isPresent() ? Future.succeededFuture(hit.get()) : fetch.get())
                .andThen(done -> claim.release());
    }
}
