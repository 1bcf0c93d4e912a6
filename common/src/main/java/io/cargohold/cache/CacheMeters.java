package io.cargohold.cache;

import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * What the pull-through engine counts as it answers lookups and calls upstreams; {@link CacheMetrics}
 * records it in the process's meter registry, and the edge adds what only the HTTP surface sees.
 */
public interface CacheMeters {

    /** What a cache lookup was for. */
    enum Kind { MANIFEST, BLOB }

    /** How a cache lookup was answered. */
    enum Result { HIT, STALE, MISS }

    /** The upstream operations. */
    enum Operation {
        MANIFEST_GET("manifest.get"), MANIFEST_HEAD("manifest.head"), BLOB_GET("blob.get"),
        REFERRERS_GET("referrers.get"), TAGS_LIST("tags.list");

        private final String label;

        Operation(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Why a rule refused an image. */
    enum Denial { PATTERN, SIGNATURE }

    /** A client's lookup of a manifest or blob under the rule with prefix {@code rule}. */
    void cacheLookup(String rule, Kind kind, Result result);

    /** A call to {@code upstream} (its host) that was answered with {@code status} (0: no answer). */
    void upstreamRequest(String upstream, Operation operation, int status, long nanos);

    /** The {@code RateLimit-Remaining} count {@code upstream} last sent. */
    void rateLimitRemaining(String upstream, long remaining);

    /** An image the rule with prefix {@code rule} refused. */
    void imageDenied(String rule, Denial why);

    /** A signature check of an image under the rule with prefix {@code rule}, passed or not. */
    void signatureChecked(String rule, boolean passed);

    /** Runs an upstream download, counted as a fetch in flight until it completes. */
    <T> Future<T> fetching(Supplier<Future<T>> download);
}
