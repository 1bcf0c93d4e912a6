package io.cargohold.coordinator.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The cluster's bytes served, from the cache and from upstreams, sampled over time for the
 * console's chart: the last {@link #MAX_POINTS} samples, kept in this process's memory only.
 */
final class EgressHistory {

    static final int MAX_POINTS = 360;

    private final Deque<JsonObject> points = new ArrayDeque<>();

    synchronized void record(long timeMillis, JsonObject bytes) {
        points.addLast(new JsonObject().put("time", timeMillis)
                .put("cache", bytes.getLong("cache", 0L)).put("upstream", bytes.getLong("upstream", 0L)));
        while (points.size() > MAX_POINTS) {
            points.removeFirst();
        }
    }

    synchronized JsonArray points() {
        return new JsonArray(points.stream().map(JsonObject::copy).map(Object.class::cast).toList());
    }
}
