package io.cargohold.cache;

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
 * The pull-through engine's meters in the process's one {@link MeterRegistry} (Prometheus names in brackets):
 * <ul>
 *   <li>{@value #CACHE_REQUESTS} {@code {rule,kind,result}}: client lookups of a manifest or blob,
 *       {@code hit} (served from the cache), {@code stale} (a cached tag served while the upstream
 *       could not confirm it) or {@code miss} (fetched from the upstream for this request)
 *       ({@code cargohold_cache_requests_total});</li>
 *   <li>{@value #UPSTREAM_REQUESTS} {@code {upstream,operation,status}}: calls to upstream
 *       registries, timed to the answer's head; status {@code 200} for an answer, the upstream's
 *       status for an error, {@code 0} when none came ({@code cargohold_upstream_requests_seconds_*});</li>
 *   <li>{@value #UPSTREAM_RATELIMIT_REMAINING} {@code {upstream}}: the last {@code RateLimit-Remaining}
 *       an upstream sent (Docker Hub);</li>
 *   <li>{@value #FETCHES_INFLIGHT}: manifest and blob downloads from upstreams running on this node;</li>
 *   <li>{@value #IMAGES_DENIED} {@code {rule,reason}}: images a rule refused, by its {@code pattern} lists or for
 *       want of a trusted {@code signature} ({@code cargohold_images_denied_total});</li>
 *   <li>{@value #SIGNATURE_CHECKS} {@code {rule,result}}: cosign signature checks of images, {@code passed} or
 *       {@code failed} ({@code cargohold_signature_checks_total}).</li>
 * </ul>
 */
public final class CacheMetrics implements CacheMeters {

    public static final String CACHE_REQUESTS = "cargohold.cache.requests";
    public static final String UPSTREAM_REQUESTS = "cargohold.upstream.requests";
    public static final String UPSTREAM_RATELIMIT_REMAINING = "cargohold.upstream.ratelimit.remaining";
    public static final String FETCHES_INFLIGHT = "cargohold.fetches.inflight";
    public static final String IMAGES_DENIED = "cargohold.images.denied";
    public static final String SIGNATURE_CHECKS = "cargohold.signature.checks";

    private final MeterRegistry registry;
    private final AtomicInteger fetchesInFlight = new AtomicInteger();
    private final Map<String, AtomicLong> rateLimits = new ConcurrentHashMap<>();
    // The meters by their tag values: building and registering a meter looks it up by sorted tags,
    // which cost more than the rest of a cached manifest GET's bookkeeping. As many as series.
    private final Map<LookupSeries, Counter> lookups = new ConcurrentHashMap<>();
    private final Map<UpstreamSeries, Timer> upstreamCalls = new ConcurrentHashMap<>();

    private record LookupSeries(String rule, Kind kind, Result result) {
    }

    private record UpstreamSeries(String upstream, Operation operation, int status) {
    }

    public CacheMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(FETCHES_INFLIGHT, fetchesInFlight, AtomicInteger::get)
                .description("Manifest and blob downloads from upstreams running on this node")
                .register(registry);
    }

    @Override
    public void cacheLookup(String rule, Kind kind, Result result) {
        lookups.computeIfAbsent(new LookupSeries(rule, kind, result), series -> Counter.builder(CACHE_REQUESTS)
                .description("Client lookups of manifests and blobs: hit, stale (served unconfirmed) or miss")
                .tags("rule", rule, "kind", label(kind), "result", label(result))
                .register(registry))
                .increment();
    }

    @Override
    public void upstreamRequest(String upstream, Operation operation, int status, long nanos) {
        upstreamCalls.computeIfAbsent(new UpstreamSeries(upstream, operation, status), series -> Timer.builder(
                        UPSTREAM_REQUESTS)
                .description("Calls to upstream registries, timed to the answer's head")
                .tags("upstream", upstream, "operation", operation.label(), "status", String.valueOf(status))
                .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
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

    @Override
    public void imageDenied(String rule, Denial why) {
        registry.counter(IMAGES_DENIED, "rule", rule, "reason", label(why)).increment();
    }

    @Override
    public void signatureChecked(String rule, boolean passed) {
        registry.counter(SIGNATURE_CHECKS, "rule", rule, "result", passed ? "passed" : "failed").increment();
    }

    @Override
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

    /** A label value as Prometheus users expect it: the enum's name in lower case. */
    public static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
