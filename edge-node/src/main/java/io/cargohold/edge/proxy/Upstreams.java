package io.cargohold.edge.proxy;

import io.cargohold.config.CacheRule;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.edge.metrics.MeteredUpstreamClient;
import io.cargohold.spi.UpstreamClient;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One upstream client per rule, kept so tokens and connections are reused; a changed rule gets a
 * new one. The two newest versions of a prefix's rule back each other up when the upstream
 * rejects credentials (see {@link FallbackUpstreamClient}), so an in-place credential change
 * never fails a pull, before or after the upstream's own rotation.
 */
public final class Upstreams {

    private final Function<CacheRule, UpstreamClient> factory;
    private final Map<CacheRule, UpstreamClient> own = new ConcurrentHashMap<>();
    private final Map<CacheRule, UpstreamClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Deque<CacheRule>> versions = new ConcurrentHashMap<>();

    public Upstreams(Function<CacheRule, UpstreamClient> factory) {
        this.factory = factory;
    }

    public UpstreamClient client(CacheRule rule) {
        return clients.computeIfAbsent(rule, this::create);
    }

    private UpstreamClient create(CacheRule rule) {
        own.put(rule, factory.apply(rule));
        Deque<CacheRule> recent = versions.computeIfAbsent(rule.prefix(), prefix -> new ArrayDeque<>());
        synchronized (recent) {
            recent.addFirst(rule);
            while (recent.size() > 2) {
                recent.removeLast();
            }
        }
        return new FallbackUpstreamClient(own.get(rule), () -> otherVersion(rule));
    }

    /** The client of the prefix's other recent rule with the same upstream, or null. */
    private UpstreamClient otherVersion(CacheRule rule) {
        Deque<CacheRule> recent = versions.get(rule.prefix());
        synchronized (recent) {
            return recent.stream()
                    .filter(other -> !other.equals(rule) && other.upstreamUrl().equals(rule.upstreamUrl()))
                    .findFirst().map(own::get).orElse(null);
        }
    }

    /** Clients from the same factory, each timed and its rate limit kept in {@code metrics}. */
    public Upstreams metered(EdgeMetrics metrics) {
        return new Upstreams(factory.andThen(client -> new MeteredUpstreamClient(client, metrics)));
    }
}
