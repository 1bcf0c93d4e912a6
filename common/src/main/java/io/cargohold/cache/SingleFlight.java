package io.cargohold.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs at most one operation per key at a time; callers that arrive while it runs share its
 * result (zot's singleflight, distribution's in-flight map).
 */
public final class SingleFlight<K, V> {

    private final Map<K, Future<V>> inFlight = new ConcurrentHashMap<>();

    public Future<V> run(K key, Supplier<Future<V>> operation) {
        Promise<V> promise = Promise.promise();
        Future<V> running = inFlight.putIfAbsent(key, promise.future());
        if (running != null) {
            return running;
        }
        promise.future().onComplete(done -> inFlight.remove(key, promise.future()));
        try {
            operation.get().onComplete(promise);
        } catch (RuntimeException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    /** The operation running for {@code key}, if any. */
    public Future<V> running(K key) {
        return inFlight.get(key);
    }
}
