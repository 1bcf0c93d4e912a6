package io.cargohold.edge.http;

import io.cargohold.cache.CacheMeters;
import io.cargohold.cache.ProxyTarget;

import java.util.Locale;

/**
 * What one registry API request did, collected while it runs and written to the {@link AccessLog}
 * when its response ends: who sent it, the rule that served it, how the cache answered and how long
 * it waited on the upstream. Each setter runs in a callback of the request's future chain, which
 * completes before the response ends, so the writer sees every value without locks.
 */
final class AccessRecord {

    /** How the cache answered a manifest or blob request. */
    enum Cache {
        HIT, STALE, MISS, REDIRECT;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    final long startedNanos = System.nanoTime();
    final long startedMillis = System.currentTimeMillis();
    private String user;
    private String rule;
    private String namespace;
    private Cache cache;
    private long upstreamNanos = -1;
    private boolean finished;

    /** The user the request's token names; null when anonymous. */
    void user(String name) {
        user = name;
    }

    /** The rule the request resolved to, and containerd's {@code ns} parameter when it sent one. */
    void target(ProxyTarget target, String ns) {
        rule = target.rule().prefix();
        namespace = ns;
    }

    /**
     * A cache lookup: several (an index and the image picked from it) make one answer, a miss when
     * any missed; {@code upstreamNanos} is how long it waited on the upstream, 0 for a hit.
     */
    void lookup(CacheMeters.Result result, long upstreamNanos) {
        Cache answered = switch (result) {
            case HIT -> Cache.HIT;
            case STALE -> Cache.STALE;
            case MISS -> Cache.MISS;
        };
        if (cache == null || answered.ordinal() > cache.ordinal()) {
            cache = answered;
        }
        if (result != CacheMeters.Result.HIT) {
            this.upstreamNanos = Math.max(this.upstreamNanos, 0) + upstreamNanos;
        }
    }

    /** A blob answered with a redirect to the store. */
    void redirected() {
        cache = Cache.REDIRECT;
    }

    /** True the first time only: a response's end and its connection's close can both report it. */
    boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }

    String user() {
        return user;
    }

    String rule() {
        return rule;
    }

    String namespace() {
        return namespace;
    }

    Cache cache() {
        return cache;
    }

    /** Nanoseconds spent waiting on the upstream; negative when the request did not go upstream. */
    long upstreamNanos() {
        return upstreamNanos;
    }
}
