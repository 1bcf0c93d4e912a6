package io.cargohold.cache;

import io.vertx.core.Future;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream's tag lists for {@code tags/list}: each repository's list is fetched at most once per its rule's
 * refresh interval (callers arriving meanwhile share one fetch) and kept in memory, sorted, in a cache bounded by
 * {@value #MAX_CACHED_TAGS} tags in all (the least recently listed repositories go first). A repository lists at
 * most {@value #MAX_TAGS_PER_REPOSITORY} tags.
 */
public final class UpstreamTags {

    static final int MAX_TAGS_PER_REPOSITORY = 10_000;
    static final int MAX_CACHED_TAGS = 200_000;

    private record Listing(List<String> tags, long fetchedAtMillis) {
    }

    private final Upstreams upstreams;
    private final Clock clock;
    private final SingleFlight<String, List<String>> flight = new SingleFlight<>();
    /** By repository name, in access order; guarded by {@code this}. */
    private final LinkedHashMap<String, Listing> listings = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedTags;

    UpstreamTags(Upstreams upstreams, Clock clock) {
        this.upstreams = upstreams;
        this.clock = clock;
    }

    /** The upstream's tags of the target's repository, in lexical order; fails as the upstream did. */
    public Future<List<String>> tags(ProxyTarget target) {
        Listing listing = fresh(target);
        if (listing != null) {
            return Future.succeededFuture(listing.tags());
        }
        return flight.run(target.name(), () -> {
            long started = clock.millis();
            return upstreams.client(target.rule()).listTags(target.upstreamRepository(), MAX_TAGS_PER_REPOSITORY)
                    .map(tags -> {
                        List<String> sorted = new ArrayList<>(tags);
                        sorted.sort(null);
                        List<String> kept = List.copyOf(sorted);
                        keep(target.name(), new Listing(kept, started));
                        return kept;
                    });
        });
    }

    private synchronized Listing fresh(ProxyTarget target) {
        Listing listing = listings.get(target.name());
        return listing != null && clock.millis() - listing.fetchedAtMillis() < target.rule().refreshInterval().toMillis()
                ? listing : null;
    }

    private synchronized void keep(String name, Listing listing) {
        Listing replaced = listings.put(name, listing);
        cachedTags += listing.tags().size() - (replaced == null ? 0 : replaced.tags().size());
        Iterator<Map.Entry<String, Listing>> eldest = listings.entrySet().iterator();
        while (cachedTags > MAX_CACHED_TAGS && eldest.hasNext()) {
            Map.Entry<String, Listing> entry = eldest.next();
            cachedTags -= entry.getValue().tags().size();
            eldest.remove();
        }
    }
}
