package io.cargohold.cache;

import io.cargohold.oci.Tag;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Re-checks upstream a pulled tag whose last check is older than its rule's refresh interval, so
 * tags that are pulled stay fresh without a client waiting on the check; or every tag of a
 * repository at once, when an operator asks.
 */
public final class TagRevalidator {

    private final MetadataStore metadata;
    private final ProxyManifestStore manifests;
    private final Clock clock;

    public TagRevalidator(MetadataStore metadata, ProxyManifestStore manifests, Clock clock) {
        this.metadata = metadata;
        this.manifests = manifests;
        this.clock = clock;
    }

    /** Re-checks {@code tag} upstream when its last check is older than its rule's refresh interval. */
    public Future<Void> revalidate(ProxyTarget target, Tag tag) {
        return metadata.tag(target.name(), tag.value()).compose(cached -> {
            boolean stale = cached.isPresent() && Duration.ofMillis(clock.millis() - cached.get().lastCheckedAtMillis())
                    .compareTo(target.rule().refreshInterval()) >= 0;
            return stale ? manifests.get(target, tag).mapEmpty() : Future.succeededFuture();
        });
    }

    /**
     * Re-checks every cached tag of the repository now, one after the other; answers per tag the
     * digest it points to afterwards, or the failure's message.
     */
    public Future<Map<String, String>> recheckAll(ProxyTarget target) {
        Map<String, String> outcomes = new TreeMap<>();
        return metadata.tags(target.name()).compose(tags -> {
            Future<Void> chain = Future.succeededFuture();
            for (String tag : tags) {
                chain = chain.compose(v -> manifests.recheck(target, new Tag(tag))
                        .map(served -> outcomes.put(tag, served.map(s -> s.manifest().digest()).orElse("not cached")))
                        .otherwise(failure -> outcomes.put(tag, "failed: " + failure.getMessage()))
                        .mapEmpty());
            }
            return chain.map(v -> outcomes);
        });
    }
}
