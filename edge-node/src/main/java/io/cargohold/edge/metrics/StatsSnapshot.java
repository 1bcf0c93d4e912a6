package io.cargohold.edge.metrics;

import io.cargohold.cache.CacheMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;

/**
 * This process's cache counters as one JSON document, for the console to add up across the
 * cluster: {@code rules.<prefix>.{hit,stale,miss}} (client lookups), {@code bytes.{cache,upstream}}
 * (bytes served by where they came from) and {@code upstreams.<host>.{requests,failures}} (calls to
 * each upstream; a failure is no answer, a 429 or a 5xx). Every value is a count since the
 * process started.
 */
public final class StatsSnapshot {

    private StatsSnapshot() {
    }

    public static JsonObject of(MeterRegistry registry) {
        JsonObject rules = new JsonObject();
        for (Counter lookups : registry.find(CacheMetrics.CACHE_REQUESTS).counters()) {
            add(child(rules, lookups.getId().getTag("rule")), lookups.getId().getTag("result"), lookups.count());
        }
        JsonObject bytes = new JsonObject().put("cache", 0L).put("upstream", 0L);
        for (Counter served : registry.find(EdgeMetrics.BYTES_SERVED).counters()) {
            add(bytes, served.getId().getTag("source"), served.count());
        }
        JsonObject upstreams = new JsonObject();
        for (Timer calls : registry.find(CacheMetrics.UPSTREAM_REQUESTS).timers()) {
            JsonObject upstream = child(upstreams, calls.getId().getTag("upstream"));
            add(upstream, "requests", calls.count());
            add(upstream, "failures", isFailure(calls.getId().getTag("status")) ? calls.count() : 0);
        }
        return new JsonObject().put("rules", rules).put("bytes", bytes).put("upstreams", upstreams);
    }

    private static boolean isFailure(String status) {
        int code = Integer.parseInt(status);
        return code == 0 || code == 429 || code >= 500;
    }

    private static JsonObject child(JsonObject parent, String key) {
        JsonObject child = parent.getJsonObject(key);
        if (child == null) {
            child = new JsonObject();
            parent.put(key, child);
        }
        return child;
    }

    private static void add(JsonObject counts, String key, double amount) {
        counts.put(key, counts.getLong(key, 0L) + (long) amount);
    }
}
