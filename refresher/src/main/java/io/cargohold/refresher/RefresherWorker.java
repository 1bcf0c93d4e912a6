package io.cargohold.refresher;

import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.TagRevalidator;
import io.cargohold.oci.Digest;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Reacts to registry events: a newly cached image is prefetched, a pulled tag is re-checked when
 * stale. Handling is idempotent, so events delivered twice (at-least-once) do no harm.
 */
public final class RefresherWorker {

    private static final Logger LOG = LoggerFactory.getLogger(RefresherWorker.class);

    private final PullThrough pullThrough;
    private final Prefetcher prefetcher;
    private final TagRevalidator revalidator;

    public RefresherWorker(PullThrough pullThrough, MetadataStore metadata, Clock clock) {
        this.pullThrough = pullThrough;
        this.prefetcher = new Prefetcher(metadata, pullThrough.manifests(), pullThrough.blobs());
        this.revalidator = new TagRevalidator(metadata, pullThrough.manifests(), clock);
    }

    /** Handles one event; completes when the work it causes is stored. */
    public Future<Void> handle(RegistryEvent event) {
        ProxyTarget target;
        try {
            target = pullThrough.rules().resolve(RepositoryName.parse(event.repository()));
        } catch (RegistryException e) {
            LOG.debug("ignoring {} of {}: {}", event.type(), event.repository(), e.getMessage());
            return Future.succeededFuture();
        }
        return switch (event.type()) {
            case RegistryEvent.IMAGE_CACHED, RegistryEvent.TAG_REFRESHED ->
                    prefetcher.prefetch(target, Digest.parse(event.digest()));
            case RegistryEvent.PULL -> event.tag() == null ? Future.succeededFuture()
                    : revalidator.revalidate(target, new Tag(event.tag()));
            default -> Future.succeededFuture();
        };
    }
}
