package io.cargohold.edge.proxy;

import io.cargohold.config.CacheRule;
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
}
