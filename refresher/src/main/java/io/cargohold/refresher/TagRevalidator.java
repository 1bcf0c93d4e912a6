package io.cargohold.refresher;

import io.cargohold.edge.proxy.ProxyManifestStore;
import io.cargohold.edge.proxy.ProxyTarget;
import io.cargohold.oci.Tag;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;

/**
 * Re-checks upstream a pulled tag whose last check is older than its rule's refresh interval, so
 * tags that are pulled stay fresh without a client waiting on the check.
 */
final class TagRevalidator {

    private final MetadataStore metadata;
    private final ProxyManifestStore manifests;
    private final Clock clock;

    TagRevalidator(MetadataStore metadata, ProxyManifestStore manifests, Clock clock) {
        this.metadata = metadata;
        this.manifests = manifests;
        this.clock = clock;
    }

    Future<Void> revalidate(ProxyTarget target, Tag tag) {
        return metadata.tag(target.name(), tag.value()).compose(cached -> {
            boolean stale = cached.isPresent() && Duration.ofMillis(clock.millis() - cached.get().lastCheckedAtMillis())
                    .compareTo(target.rule().refreshInterval()) >= 0;
            return stale ? manifests.get(target, tag).mapEmpty() : Future.succeededFuture();
        });
    }
}
