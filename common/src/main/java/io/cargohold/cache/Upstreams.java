package io.cargohold.cache;

import io.cargohold.config.CacheRule;
import io.cargohold.spi.UpstreamClient;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One upstream client per rule, kept so tokens and connections are reused; a changed rule gets a
 * new one. The two newest versions of a prefix's rule back each other up when the upstream
 * rejects credentials (see {@link FallbackUpstreamClient}), so an in-place credential change
 * never fails a pull, before or after the upstream's own rotation. Older versions are forgotten,
 * so a rule changed many times does not pile up clients.
 */
public final class Upstreams {

    private static final int VERSIONS_KEPT = 2;

    private final Function<CacheRule, UpstreamClient> factory;
    /** Read without the lock; written, as the two maps below are read and written, only under it. */
    private final Map<CacheRule, UpstreamClient> clients = new ConcurrentHashMap<>();
    private final Map<CacheRule, UpstreamClient> own = new HashMap<>();
    private final Map<String, Deque<CacheRule>> versions = new HashMap<>();

    public Upstreams(Function<CacheRule, UpstreamClient> factory) {
        this.factory = factory;
    }

    public UpstreamClient client(CacheRule rule) {
        UpstreamClient client = clients.get(rule);
        return client != null ? client : create(rule);
    }

    private synchronized UpstreamClient create(CacheRule rule) {
        UpstreamClient existing = clients.get(rule);
        if (existing != null) {
            return existing;
        }
        UpstreamClient direct = factory.apply(rule);
        own.put(rule, direct);
        Deque<CacheRule> recent = versions.computeIfAbsent(rule.prefix(), prefix -> new ArrayDeque<>());
        recent.addFirst(rule);
        while (recent.size() > VERSIONS_KEPT) {
            CacheRule retired = recent.removeLast();
            own.remove(retired);
            clients.remove(retired);
        }
        UpstreamClient client = new FallbackUpstreamClient(direct, () -> otherVersion(rule));
        clients.put(rule, client);
        return client;
    }

    /** The client of the prefix's other recent rule with the same upstream, or null. */
    private synchronized UpstreamClient otherVersion(CacheRule rule) {
        return versions.get(rule.prefix()).stream()
                .filter(other -> !other.equals(rule) && other.upstreamUrl().equals(rule.upstreamUrl()))
                .findFirst().map(own::get).orElse(null);
    }

    /** Clients from the same factory, each timed and its rate limit kept in {@code metrics}. */
    public Upstreams metered(CacheMeters metrics) {
        return new Upstreams(factory.andThen(client -> new MeteredUpstreamClient(client, metrics)));
    }
}
