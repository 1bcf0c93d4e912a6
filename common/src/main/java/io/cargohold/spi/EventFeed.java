package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.function.Function;

/** Where a process's workers receive the registry events they react to: the in-process bus or a Kafka consumer group. */
public interface EventFeed {

    /**
     * Hands every event to {@code worker} (at least once; workers are idempotent); a failed future is logged.
     * Closing the answer stops the feed.
     */
    AutoCloseable feed(Function<RegistryEvent, Future<Void>> worker);
}
