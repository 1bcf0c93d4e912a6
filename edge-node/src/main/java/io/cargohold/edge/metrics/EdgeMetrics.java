package io.cargohold.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The meters of the pull-through cache, all named here and registered in the process's one
 * {@link MeterRegistry} (Prometheus names in brackets):
 * <ul>
 *   <li>{@value #HTTP_REQUESTS} {@code {route,method,status}}: registry API requests (method GET, HEAD or other), timed from
 *       arrival to the end of the response or the client's disconnection (status 499 when no status was sent)
 *       ({@code cargohold_http_requests_seconds_*});</li>
 *   <li>{@value #CACHE_REQUESTS} {@code {rule,kind,result}}: client lookups of a manifest or blob,
 *       {@code hit} (served from the cache), {@code stale} (a cached tag served while the upstream
 *       could not confirm it) or {@code miss} (fetched from the upstream for this request)
 *       ({@code cargohold_cache_requests_total});</li>
 *   <li>{@value #BYTES_SERVED} {@code {source}}: manifest and blob body bytes sent to clients,
 *       {@code cache} when read from the store, {@code upstream} when streamed from a running fetch
 *       (the egress the cache saved is the {@code cache} share) ({@code cargohold_bytes_served_total});</li>
 *   <li>{@value #UPSTREAM_REQUESTS} {@code {upstream,operation,status}}: calls to upstream
 *       registries, timed to the answer's head; status {@code 200} for an answer, the upstream's
 *       status for an error, {@code 0} when none came ({@code cargohold_upstream_requests_seconds_*});</li>
 *   <li>{@value #UPSTREAM_RATELIMIT_REMAINING} {@code {upstream}}: the last {@code RateLimit-Remaining}
 *       an upstream sent (Docker Hub);</li>
 *   <li>{@value #FETCHES_INFLIGHT}: manifest and blob downloads from upstreams running on this node.</li>
 * </ul>
 */
public final class EdgeMetrics {

    public static final String HTTP_REQUESTS = "cargohold.http.requests";
    public static final String CACHE_REQUESTS = "cargohold.cache.requests";
    public static final String BYTES_SERVED = "cargohold.bytes.served";
    public static final String UPSTREAM_REQUESTS = "cargohold.upstream.requests";
    public static final String UPSTREAM_RATELIMIT_REMAINING = "cargohold.upstream.ratelimit.remaining";
    public static final String FETCHES_INFLIGHT = "cargohold.fetches.inflight";

    /** What a cache lookup was for. */
    public enum Kind { MANIFEST, BLOB }

    /** How a cache lookup was answered. */
    public enum Result { HIT, STALE, MISS }

    /** Where served bytes came from. */
    public enum Source { CACHE, UPSTREAM }

    /** The upstream operations. */
    public enum Operation {
        MANIFEST_GET("manifest.get"), MANIFEST_HEAD("manifest.head"), BLOB_GET("blob.get"),
        REFERRERS_GET("referrers.get"), TAGS_LIST("tags.list");

        private final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    private final MeterRegistry registry;
    private final AtomicInteger fetchesInFlight = new AtomicInteger();
    private final Map<String, AtomicLong> rateLimits = new ConcurrentHashMap<>();
    private final Counter cacheBytes;
    private final Counter upstreamBytes;
    // The meters by their tag values: building and registering a meter looks it up by sorted tags,
    // which cost more than the rest of a cached manifest GET's bookkeeping. As many as series.
    private final Map<RequestSeries, Timer> requests = new ConcurrentHashMap<>();
    private final Map<LookupSeries, Counter> lookups = new ConcurrentHashMap<>();
    private final Map<UpstreamSeries, Timer> upstreamCalls = new ConcurrentHashMap<>();

    private record RequestSeries(String route, String method, int status) {
    }

    private record LookupSeries(String rule, Kind kind, Result result) {
    }

    private record UpstreamSeries(String upstream, Operation operation, int status) {
    }

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(FETCHES_INFLIGHT, fetchesInFlight, AtomicInteger::get)
                .description("Manifest and blob downloads from upstreams running on this node")
                .register(registry);
        this.cacheBytes = bytesCounter(Source.CACHE);
        this.upstreamBytes = bytesCounter(Source.UPSTREAM);
    }

    /** A registry API request answered with {@code status} after {@code nanos}. */
    public void requestServed(String route, String method, int status, long nanos) {
        requests.computeIfAbsent(new RequestSeries(route, method, status), series -> Timer.builder(HTTP_REQUESTS)
                .description("Registry API requests, from arrival to the end of the response")
                .tags("route", route, "method", method, "status", String.valueOf(status))
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A client's lookup of a manifest or blob under the rule with prefix {@code rule}. */
    public void cacheLookup(String rule, Kind kind, Result result) {
        lookups.computeIfAbsent(new LookupSeries(rule, kind, result), series -> Counter.builder(CACHE_REQUESTS)
                .description("Client lookups of manifests and blobs: hit, stale (served unconfirmed) or miss")
                .tags("rule", rule, "kind", label(kind), "result", label(result))
                .register(registry))
                .increment();
    }

    /** Body bytes sent to a client. */
    public void bytesServed(Source source, long bytes) {
        if (bytes > 0) {
            (source == Source.CACHE ? cacheBytes : upstreamBytes).increment(bytes);
        }
    }

    /** A call to {@code upstream} (its host) that was answered with {@code status} (0: no answer). */
    public void upstreamRequest(String upstream, Operation operation, int status, long nanos) {
        upstreamCalls.computeIfAbsent(new UpstreamSeries(upstream, operation, status), series -> Timer.builder(
                        UPSTREAM_REQUESTS)
                .description("Calls to upstream registries, timed to the answer's head")
                .tags("upstream", upstream, "operation", operation.label, "status", String.valueOf(status))
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The {@code RateLimit-Remaining} count {@code upstream} last sent. */
    public void rateLimitRemaining(String upstream, long remaining) {
        rateLimits.computeIfAbsent(upstream, host -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(UPSTREAM_RATELIMIT_REMAINING, value, AtomicLong::get)
                    .description("The last RateLimit-Remaining an upstream registry sent")
                    .tag("upstream", host)
                    .strongReference(true)
                    .register(registry);
            return value;
        }).set(remaining);
    }

    /** Runs an upstream download, counted in {@value #FETCHES_INFLIGHT} until it completes. */
    public <T> Future<T> fetching(Supplier<Future<T>> download) {
        fetchesInFlight.incrementAndGet();
        Future<T> running;
        try {
            running = download.get();
        } catch (RuntimeException e) {
            fetchesInFlight.decrementAndGet();
            throw e;
        }
        return running.andThen(done -> fetchesInFlight.decrementAndGet());
    }

    private Counter bytesCounter(Source source) {
        return Counter.builder(BYTES_SERVED)
                .description("Manifest and blob body bytes sent to clients, by where they came from")
                .tag("source", label(source))
                .register(registry);
    }

    private static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
