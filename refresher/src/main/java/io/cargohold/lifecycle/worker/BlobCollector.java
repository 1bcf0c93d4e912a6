package io.cargohold.lifecycle.worker;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnel;
import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.StoredBlob;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Mark-and-sweep garbage collection of blobs. Each collection marks every blob some manifest record
 * references (the manifest's own bytes, its config and layers, an index's child manifests), reading
 * a page of manifests of every repository at a time from storage and parsing it on a worker thread;
 * then sweeps the stored blobs a
 * page at a time: an unmarked blob is deleted only when it was last written more than {@code grace}
 * ago <em>and</em> an earlier collection, at least {@code grace} before, found it unmarked too (and
 * every collection since). So a blob being ingested now (young) is never deleted, and the blobs of
 * an image that was just expired stay for at least {@code grace}, long enough for a pull under way
 * to finish. Unmarked blobs are remembered in memory: a new leader starts afresh, which only delays
 * deletions.
 *
 * <p>The marks are a Bloom filter, sized for the blobs the previous sweep listed (within fixed
 * bounds), so marking holds a few bits per blob however many manifests there are. A Bloom filter
 * never misses a blob put in it: a referenced blob is never deleted. A false positive (about 1%)
 * marks an unreferenced blob, which only keeps that garbage until a later collection: each
 * collection hashes with a new salt, so the same blob is rarely a false positive twice.
 */
final class BlobCollector {

    /** What a collection deleted. */
    record Collected(int blobs, long bytes) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(BlobCollector.class);
    private static final double FALSE_POSITIVES = 0.01;
    private static final long MIN_EXPECTED_BLOBS = 1_000_000;
    /** About 60 MB of marks at most. */
    private static final long MAX_EXPECTED_BLOBS = 50_000_000;

    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final LifecycleMetrics metrics;
    private final Clock clock;
    private final Duration grace;
    private final int manifestPage;
    private final int blobPage;
    private Map<Digest, Instant> unreferencedSince = new HashMap<>();
    private long blobsListed;

    BlobCollector(BlobStore blobs, MetadataStore metadata, LifecycleMetrics metrics, Clock clock, Duration grace,
                  int manifestPage, int blobPage) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.metrics = metrics;
        this.clock = clock;
        this.grace = grace;
        this.manifestPage = manifestPage;
        this.blobPage = blobPage;
    }

    /** One collection, on {@code context}; answers what it deleted. */
    Future<Collected> collect(Context context) {
        long salt = ThreadLocalRandom.current().nextLong();
        Funnel<String> salted = (digest, sink) -> sink.putLong(salt).putString(digest, StandardCharsets.UTF_8);
        BloomFilter<String> marked = BloomFilter.create(salted,
                Math.min(MAX_EXPECTED_BLOBS, Math.max(MIN_EXPECTED_BLOBS, blobsListed + blobsListed / 4)),
                FALSE_POSITIVES);
        return mark(context, marked, null).compose(v -> {
            Sweep sweep = new Sweep(marked, clock.instant());
            return sweep(sweep, null).map(done -> {
                unreferencedSince = sweep.unreferencedSince;
                blobsListed = sweep.listed;
                if (sweep.deleted > 0) {
                    LOG.info("garbage collection deleted {} unreferenced blobs, {} bytes", sweep.deleted,
                            sweep.deletedBytes);
                }
                return new Collected(sweep.deleted, sweep.deletedBytes);
            });
        });
    }

    /** Marks what the page of manifests after {@code after} references, then the next page, to the last. */
    private Future<Void> mark(Context context, BloomFilter<String> marked, String after) {
        return metadata.manifests(after, manifestPage).compose(page -> context.executeBlocking(() -> {
            page.items().forEach(record -> ImageCatalog.references(record).keySet().forEach(marked::put));
            return page.next();
        }, false)).compose(next -> next == null ? Future.succeededFuture() : mark(context, marked, next));
    }

    /** Sweeps the page of blobs after {@code after}, then the next, until the listing ends. */
    private Future<Void> sweep(Sweep sweep, Digest after) {
        return blobs.list(after, blobPage).compose(page -> {
            if (page.isEmpty()) {
                return Future.succeededFuture();
            }
            sweep.listed += page.size();
            Future<Void> chain = Future.succeededFuture();
            for (StoredBlob blob : sweep.doomed(page)) {
                chain = chain.compose(v -> blobs.delete(blob.digest())).map(deleted -> {
                    sweep.unreferencedSince.remove(blob.digest());
                    if (deleted) {
                        sweep.deleted++;
                        sweep.deletedBytes += blob.size();
                        metrics.blobDeleted(blob.size());
                    }
                    return null;
                });
            }
            return chain.compose(v -> sweep(sweep, page.get(page.size() - 1).digest()));
        });
    }

    /** One sweep's state: the unmarked blobs it found, with since when each has been unmarked. */
    private final class Sweep {
        private final BloomFilter<String> marked;
        private final Instant now;
        private final Instant writtenBefore;
        private final Map<Digest, Instant> unreferencedSince = new HashMap<>();
        private long listed;
        private int deleted;
        private long deletedBytes;

        Sweep(BloomFilter<String> marked, Instant now) {
            this.marked = marked;
            this.now = now;
            this.writtenBefore = now.minus(grace);
        }

        /** Notes the unmarked blobs of a page; answers those to delete. */
        List<StoredBlob> doomed(List<StoredBlob> page) {
            List<StoredBlob> doomed = new ArrayList<>();
            for (StoredBlob blob : page) {
                if (marked.mightContain(blob.digest().value())) {
                    continue;
                }
                Instant since = BlobCollector.this.unreferencedSince.getOrDefault(blob.digest(), now);
                unreferencedSince.put(blob.digest(), since);
                if (blob.lastModified().isBefore(writtenBefore) && !since.isAfter(writtenBefore)) {
                    doomed.add(blob);
                }
            }
            return doomed;
        }
    }
}
