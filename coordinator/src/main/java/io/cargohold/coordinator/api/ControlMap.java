package io.cargohold.coordinator.api;

import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A control map of the cluster (resources by prefix, as JSON text) with the conditional writes that
 * keep concurrent changes apart: create only if absent, replace or remove only what was read.
 * Hazelcast's calls block (they write through to the document store), so they run on a worker thread.
 */
final class ControlMap {

    private final Vertx vertx;
    private final IMap<String, String> map;
    private final Predicate<String> validKey;

    /** {@code validKey}: keys that can exist; others are absent without asking (nor loading from) the map. */
    ControlMap(Vertx vertx, IMap<String, String> map, Predicate<String> validKey) {
        this.vertx = vertx;
        this.map = map;
        this.validKey = validKey;
    }

    /** Whether {@code key} can name an entry. */
    boolean validKey(String key) {
        return validKey.test(key);
    }

    Future<Optional<JsonObject>> get(String key) {
        if (!validKey(key)) {
            return Future.succeededFuture(Optional.empty());
        }
        return vertx.executeBlocking(() -> Optional.ofNullable(map.get(key)).map(JsonObject::new), false);
    }

    /** Every entry, sorted by key. */
    Future<Map<String, JsonObject>> all() {
        return vertx.executeBlocking(() -> {
            Map<String, JsonObject> all = new TreeMap<>();
            map.forEach((key, text) -> all.put(key, new JsonObject(text)));
            return all;
        }, false);
    }

    /** Whether it was stored: false when the key exists. */
    Future<Boolean> create(String key, JsonObject value) {
        return vertx.executeBlocking(() -> map.putIfAbsent(key, value.encode()) == null, false);
    }

    /** Whether it was replaced: false when the entry is no longer {@code expected}. */
    Future<Boolean> replace(String key, JsonObject expected, JsonObject value) {
        return vertx.executeBlocking(() -> map.replace(key, expected.encode(), value.encode()), false);
    }

    Future<Boolean> remove(String key, JsonObject expected) {
        return vertx.executeBlocking(() -> map.remove(key, expected.encode()), false);
    }

    /** Removes the entry whatever it holds now; answers what it held, or null. */
    Future<JsonObject> delete(String key) {
        return vertx.executeBlocking(() -> {
            String removed = map.remove(key);
            return removed == null ? null : new JsonObject(removed);
        }, false);
    }
}
