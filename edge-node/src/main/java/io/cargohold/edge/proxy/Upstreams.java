package io.cargohold.edge.proxy;

import io.cargohold.config.CacheRule;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.edge.metrics.MeteredUpstreamClient;
import io.cargohold.spi.UpstreamClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One upstream client per rule, kept so tokens and connections are reused; a changed rule gets a new one. */
public final class Upstreams {

    private final Function<CacheRule, UpstreamClient> factory;
    private final Map<CacheRule, UpstreamClient> clients = new ConcurrentHashMap<>();

    public Upstreams(Function<CacheRule, UpstreamClient> factory) {
        this.factory = factory;
    }

    public UpstreamClient client(CacheRule rule) {
        return clients.computeIfAbsent(rule, factory);
    }

    /** Clients from the same factory, each timed and its rate limit kept in {@code metrics}. */
    public Upstreams metered(EdgeMetrics metrics) {
        return new Upstreams(factory.andThen(client -> new MeteredUpstreamClient(client, metrics)));
    }
}
