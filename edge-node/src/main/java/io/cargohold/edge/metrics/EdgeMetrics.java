package io.cargohold.edge.metrics;

import io.cargohold.cache.CacheMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters only the registry API sees, next to the pull-through engine's ({@link CacheMetrics}), in the
 * process's one {@link MeterRegistry} (Prometheus names in brackets):
 * <ul>
 *   <li>{@value #HTTP_REQUESTS} {@code {route,method,status}}: registry API requests (method GET, HEAD or other), timed from
 *       arrival to the end of the response or the client's disconnection (status 499 when no status was sent)
 *       ({@code cargohold_http_requests_seconds_*});</li>
 *   <li>{@value #BYTES_SERVED} {@code {source}}: manifest and blob body bytes sent to clients,
 *       {@code cache} when read from the store, {@code upstream} when streamed from a running fetch
 *       (the egress the cache saved is the {@code cache} share) ({@code cargohold_bytes_served_total}).</li>
 * </ul>
 */
public final class EdgeMetrics {

    public static final String HTTP_REQUESTS = "cargohold.http.requests";
    public static final String BYTES_SERVED = "cargohold.bytes.served";

    /** Where served bytes came from. */
    public enum Source { CACHE, UPSTREAM }

    private final MeterRegistry registry;
    private final Counter cacheBytes;
    private final Counter upstreamBytes;
    // By tag values, as CacheMetrics keeps its meters: registering looks a meter up by sorted tags.
    private final Map<RequestSeries, Timer> requests = new ConcurrentHashMap<>();

    private record RequestSeries(String route, String method, int status) {
    }

    public EdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
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

    /** Body bytes sent to a client. */
    public void bytesServed(Source source, long bytes) {
        if (bytes > 0) {
            (source == Source.CACHE ? cacheBytes : upstreamBytes).increment(bytes);
        }
    }

    private Counter bytesCounter(Source source) {
        return Counter.builder(BYTES_SERVED)
                .description("Manifest and blob body bytes sent to clients, by where they came from")
                .tag("source", CacheMetrics.label(source))
                .register(registry);
    }
}
