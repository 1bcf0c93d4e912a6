package io.cargohold.lifecycle.worker;

import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.StoredBlob;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mark-and-sweep garbage collection of blobs. Each collection lists the stored blobs, then marks
 * every blob some manifest record references (the manifest's own bytes, its config and layers, an
 * index's child manifests), then sweeps: an unmarked blob is deleted only when it was last written
 * more than {@code grace} ago <em>and</em> an earlier collection, at least {@code grace} before,
 * found it unmarked too (and every collection since). So a blob being ingested now (written after
 * the listing, or young) is never deleted, and the blobs of an image that was just expired stay for
 * at least {@code grace}, long enough for a pull under way to finish. Unmarked blobs are remembered
 * in memory: a new leader starts afresh, which only delays deletions.
 */
final class BlobCollector {

    private static final Logger LOG = LoggerFactory.getLogger(BlobCollector.class);
    private static final int REPOSITORY_PAGE = 500;

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final LifecycleMetrics metrics;
    private final Clock clock;
    private final Duration grace;
    private final Map<Digest, Instant> unreferencedSince = new HashMap<>();

    BlobCollector(BlobStore blobs, MetadataStore metadata, LifecycleMetrics metrics, Clock clock, Duration grace) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.metrics = metrics;
        this.clock = clock;
        this.grace = grace;
    }

    /** One collection; answers the blobs it deleted. */
    Future<List<StoredBlob>> collect() {
        return blobs.list().compose(stored -> referenced().compose(marked -> sweep(stored, marked)));
    }

    private Future<Set<String>> referenced() {
        Set<String> marked = new HashSet<>();
        return metadata.forEachRepositoryPage(REPOSITORY_PAGE, names -> {
            List<Future<List<ManifestRecord>>> manifests = names.stream().map(metadata::manifests).toList();
            return Future.all(manifests).<Void>map(done -> {
                manifests.forEach(listed -> listed.result()
                        .forEach(record -> marked.addAll(ImageCatalog.references(record).keySet())));
                return null;
            });
        }).map(marked);
    }

    private Future<List<StoredBlob>> sweep(List<StoredBlob> stored, Set<String> marked) {
        Instant now = clock.instant();
        Instant writtenBefore = now.minus(grace);
        Set<Digest> unmarked = new HashSet<>();
        List<StoredBlob> doomed = new ArrayList<>();
        for (StoredBlob blob : stored) {
            if (marked.contains(blob.digest().value())) {
                continue;
            }
            unmarked.add(blob.digest());
            Instant since = unreferencedSince.computeIfAbsent(blob.digest(), d -> now);
            if (blob.lastModified().isBefore(writtenBefore) && !since.isAfter(writtenBefore)) {
                doomed.add(blob);
            }
        }
        unreferencedSince.keySet().retainAll(unmarked);
        Future<Void> chain = Future.succeededFuture();
        for (StoredBlob blob : doomed) {
            chain = chain.compose(v -> blobs.delete(blob.digest())).compose(deleted -> {
                unreferencedSince.remove(blob.digest());
                if (deleted) {
                    metrics.blobDeleted(blob.size());
                }
                return Future.succeededFuture();
            });
        }
        return chain.map(doomed).onSuccess(done -> {
            if (!done.isEmpty()) {
                LOG.info("garbage collection deleted {} unreferenced blobs", done.size());
            }
        });
    }
}
