package io.cargohold.lifecycle.worker;

import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.lifecycle.StoredImage;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Deletes images of one repository: their tags, then the manifest records no image that stays
 * still owns (so a child manifest of a kept index is kept), with one {@code image-expired} event
 * each. An image pulled or cached within the pull grace may be being pulled right now: it is never
 * deleted, and this is checked again against the stored records just before deleting. Blobs are
 * left to garbage collection.
 */
final class ImageRemover {

    private final MetadataStore metadata;
    private final EventPublisher events;
    private final LifecycleMetrics metrics;
    private final String node;
    private final Clock clock;
    private final Duration pullGrace;

    ImageRemover(MetadataStore metadata, EventPublisher events, LifecycleMetrics metrics, String node, Clock clock,
                 Duration pullGrace) {
        this.metadata = metadata;
        this.events = events;
        this.metrics = metrics;
        this.node = node;
        this.clock = clock;
        this.pullGrace = pullGrace;
    }

    /** Whether an image was pulled or cached within the pull grace, as {@code image} saw it. */
    boolean inUse(StoredImage image) {
        return !image.image().lastPulledOrCachedAt().isBefore(graceStart());
    }

    /**
     * Deletes {@code removals}, images of a repository whose images are {@code all}; answers those
     * deleted (the others turned out to be in use).
     */
    Future<List<Removal>> remove(List<Removal> removals, List<StoredImage> all) {
        List<Future<Boolean>> checks = removals.stream().map(removal -> pulledLately(removal.image())).toList();
        return Future.all(checks).compose(done -> {
            List<Removal> confirmed = new ArrayList<>();
            for (int i = 0; i < removals.size(); i++) {
                if (!checks.get(i).result()) {
                    confirmed.add(removals.get(i));
                }
            }
            List<StoredImage> gone = confirmed.stream().map(Removal::image).toList();
            Set<String> goneDigests = gone.stream().map(StoredImage::digest).collect(Collectors.toSet());
            List<StoredImage> retained = all.stream().filter(image -> !goneDigests.contains(image.digest())).toList();
            Set<String> deletable = ImageCatalog.deletableManifests(gone, retained);
            Future<Void> chain = Future.succeededFuture();
            for (Removal removal : confirmed) {
                chain = chain.compose(v -> delete(removal, deletable));
            }
            return chain.map(confirmed);
        });
    }

    private Future<Boolean> pulledLately(StoredImage image) {
        long since = graceStart().toEpochMilli();
        List<Future<Optional<ManifestRecord>>> records = image.manifests().stream()
                .map(digest -> metadata.manifest(image.repository(), digest)).toList();
        return Future.all(records).map(done -> records.stream().map(Future::result)
                .flatMap(Optional::stream)
                .anyMatch(record -> Math.max(record.lastPulledAtMillis(), record.cachedAtMillis()) >= since));
    }

    private Future<Void> delete(Removal removal, Set<String> deletable) {
        StoredImage image = removal.image();
        String repository = image.repository();
        Future<Void> chain = Future.succeededFuture();
        for (String tag : image.image().tags()) {
            // Delete the tag only where it still points: it may have moved to a newer image meanwhile.
            chain = chain.compose(v -> metadata.tag(repository, tag)).compose(current -> current
                    .filter(record -> record.digest().equals(image.digest())).isPresent()
                    ? metadata.deleteTag(repository, tag) : Future.succeededFuture());
        }
        for (String digest : image.manifests()) {
            if (deletable.contains(digest)) {
                chain = chain.compose(v -> metadata.deleteManifest(repository, digest));
            }
        }
        return chain.onSuccess(v -> {
            if (removal.quota() == null) {
                metrics.expired();
            } else {
                metrics.evicted(removal.quota(), image.size());
            }
            events.publish(RegistryEvent.imageExpired(repository,
                    image.image().tagged() ? String.join(",", image.image().tags()) : null, image.digest(),
                    image.mediaType(), image.size(), removal.reason(), node));
        });
    }

    private Instant graceStart() {
        return clock.instant().minus(pullGrace);
    }
}
