package io.cargohold.store.tier;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A size-bounded local disk tier for hot blobs in front of a backing store (the shared bucket), for
 * edge nodes. The tier is a {@link FileSystemBlobStore} in its own directory, so a hit is a
 * {@link BlobContent.FileRegion} sent zero-copy. A miss is served by the backing store, and an
 * independent background copy then fills the tier ({@link #fill}): one per digest at a time,
 * verified against the digest and published by an atomic rename, never in the client's path and
 * never buffered in memory. Blobs larger than the tier are never tiered.
 *
 * <p>When the committed blobs exceed {@code maxBytes}, the least recently used are deleted. Last use
 * is kept in memory; at start the index is rebuilt from the directory, file modification time
 * standing for last use. Copies in progress take room beyond {@code maxBytes} until they commit. A
 * region handed out just before its blob is evicted can fail to open: the caller sees an I/O error.
 *
 * <p>Writes go to the backing store only; the tier fills on reads.
 */
public final class LocalTierBlobStore implements BlobStore {

    /** How long one background copy may take before it is abandoned. */
    public static final Duration FILL_TIMEOUT = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(LocalTierBlobStore.class);
    /** Blobs of the backing store listed per request when the tier drops collected copies. */
    private static final int DROP_PAGE = 1_000;

    private final BlobStore backing;
    private final Vertx vertx;
    private final FileSystemBlobStore tier;
    private final long maxBytes;
    private final TierIndex index = new TierIndex();
    private final Map<Digest, Future<Boolean>> fills = new ConcurrentHashMap<>();

    /** Does no I/O; call {@link #initialize()} at start-up. */
    public LocalTierBlobStore(Vertx vertx, BlobStore backing, Path directory, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("local tier size must be positive: " + maxBytes);
        }
        this.vertx = vertx;
        this.backing = backing;
        this.tier = new FileSystemBlobStore(vertx, directory);
        this.maxBytes = maxBytes;
    }

    /**
     * Creates the tier's directories, removes stale partial copies, rebuilds the index from the blobs
     * on disk (oldest modification first) and evicts down to the size bound.
     */
    public Future<Void> initialize() {
        return tier.initialize()
                .compose(v -> tier.list())
                .compose(found -> {
                    found.stream().sorted(Comparator.comparing(StoredBlob::lastModified))
                            .forEach(blob -> index.add(blob.digest(), blob.size()));
                    LOG.info("local tier {} holds {} blobs, {} bytes of at most {}", tier.root(), found.size(),
                            index.totalBytes(), maxBytes);
                    return evict();
                });
    }

    /** The total size of the blobs in the tier now. */
    public long tieredBytes() {
        return index.totalBytes();
    }

    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public Future<Optional<Long>> stat(Digest digest) {
        OptionalLong size = index.touch(digest);
        return size.isPresent() ? Future.succeededFuture(Optional.of(size.getAsLong())) : backing.stat(digest);
    }

    @Override
    public Future<BlobContent> open(Digest digest, ByteRange range) {
        if (index.touch(digest).isEmpty()) {
            return openFromBacking(digest, range);
        }
        return tier.open(digest, range).recover(failure -> {
            if (!(failure instanceof RegistryException e && e.code() == OciErrorCode.BLOB_UNKNOWN)) {
                return Future.failedFuture(failure);
            }
            index.remove(digest);   // its file went away behind the index (evicted meanwhile)
            return openFromBacking(digest, range);
        });
    }

    @Override
    public BlobWriter create() {
        return backing.create();
    }

    /** The backing store's: new blobs are written there, never to the tier. */
    @Override
    public OptionalLong freeSpace() {
        return backing.freeSpace();
    }

    /** The backing store's blobs: the tier only ever holds copies of them. */
    @Override
    public Future<List<StoredBlob>> list() {
        return backing.list();
    }

    @Override
    public Future<List<StoredBlob>> list(Digest after, int limit) {
        return backing.list(after, limit);
    }

    /** Deletes the tier's copy, then the blob itself from the backing store. */
    @Override
    public Future<Boolean> delete(Digest digest) {
        index.remove(digest);
        return tier.delete(digest).compose(v -> backing.delete(digest));
    }

    /**
     * Deletes the tier's copies of blobs the backing store no longer holds: garbage collection
     * runs on one node and deletes from the bucket, and every edge then drops its own copies.
     * The tier's digests, in listing order, are merged with the backing store's listing a page at
     * a time, so memory is bounded by the tier and a page, not by the bucket. Answers how many it
     * dropped.
     */
    public Future<Integer> dropCollected() {
        return dropCollected(DROP_PAGE);
    }

    /** As {@link #dropCollected()}, listing the backing store {@code pageSize} blobs at a time. */
    Future<Integer> dropCollected(int pageSize) {
        List<Digest> held = index.digests().stream().sorted(LISTING_ORDER).toList();
        List<Digest> collected = new ArrayList<>();
        return unlisted(held, 0, null, pageSize, collected).compose(v -> {
            collected.forEach(index::remove);
            return Future.all(collected.stream().map(tier::delete).toList()).map(done -> collected.size());
        });
    }

    /** Adds to {@code collected} the digests of {@code held} from {@code next} on that the backing store's pages after {@code after} lack. */
    private Future<Void> unlisted(List<Digest> held, int next, Digest after, int pageSize, List<Digest> collected) {
        if (next == held.size()) {
            return Future.succeededFuture();
        }
        return backing.list(after, pageSize).compose(page -> {
            if (page.isEmpty()) {
                collected.addAll(held.subList(next, held.size()));
                return Future.succeededFuture();
            }
            Digest last = page.get(page.size() - 1).digest();
            Set<Digest> listed = new HashSet<>();
            page.forEach(blob -> listed.add(blob.digest()));
            int i = next;
            for (; i < held.size() && LISTING_ORDER.compare(held.get(i), last) <= 0; i++) {
                if (!listed.contains(held.get(i))) {
                    collected.add(held.get(i));
                }
            }
            return unlisted(held, i, last, pageSize, collected);
        });
    }

    @Override
    public Future<Optional<URI>> presignedUrl(Digest digest, Duration validFor) {
        return backing.presignedUrl(digest, validFor);
    }

    /**
     * Copies a blob from the backing store into the tier unless it is there; a call while a copy of
     * the same digest runs joins that copy. Answers whether the blob is in the tier afterwards (false
     * when it is larger than the tier); fails, publishing nothing, when the backing store does not
     * have it or its content does not match its digest.
     */
    public Future<Boolean> fill(Digest digest) {
        if (index.contains(digest)) {
            return Future.succeededFuture(true);
        }
        Promise<Boolean> promise = Promise.promise();
        Future<Boolean> running = fills.putIfAbsent(digest, promise.future());
        if (running != null) {
            return running;
        }
        backing.stat(digest)
                .compose(size -> copy(digest, size.orElseThrow(() -> RegistryException.blobUnknown(digest))))
                .onComplete(result -> {
                    fills.remove(digest);
                    if (result.failed()) {
                        LOG.warn("filling local tier {} with {} failed: {}", tier.root(), digest,
                                result.cause().toString());
                    }
                    promise.handle(result);
                });
        return promise.future();
    }

    /** Completes when every copy running now has ended, successfully or not: for shutdown and tests. */
    public Future<Void> whenFillsDone() {
        return Future.join(List.copyOf(fills.values())).transform(done -> Future.succeededFuture());
    }

    private Future<BlobContent> openFromBacking(Digest digest, ByteRange range) {
        return backing.open(digest, range).onSuccess(content -> fill(digest));
    }

    private Future<Boolean> copy(Digest digest, long size) {
        if (size > maxBytes) {
            return Future.succeededFuture(false);
        }
        return TierFill.run(vertx, backing, tier, digest, size, FILL_TIMEOUT)
                .compose(v -> {
                    index.add(digest, size);
                    return evict();
                })
                .map(true);
    }

    /** Deletes least recently used blobs until the tier is within its bound. */
    private Future<Void> evict() {
        List<Digest> evicted = index.evictOver(maxBytes);
        return Future.all(evicted.stream().map(tier::delete).toList()).mapEmpty();
    }
}
