package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs through the cache (distribution's {@code proxyBlobStore}): served from the store when
 * present, otherwise fetched once from the rule's upstream however many clients ask at once: one
 * fill per blob on this node, and one fetch lease per blob across the cluster, whose holder's
 * fill the other nodes relay while it runs ({@link BlobFetcher}). A blob the store has no room
 * for is refused at once ({@link StorageFull}).
 */
public final class ProxyBlobStore {

    /** How long a redirect URL stays valid: long enough for a slow client to start its download. */
    static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);

    private final BlobStore store;
    private final FillPeers peers;
    private final BlobFetcher fetcher;
    private final CacheMeters metrics;
    private final Map<Digest, BlobFill> fills = new ConcurrentHashMap<>();

    public ProxyBlobStore(BlobStore store, Upstreams upstreams, FetchLeases leases, FillPeers peers,
                          EventPublisher events, String node, CacheMeters metrics) {
        this.store = store;
        this.peers = peers;
        this.metrics = metrics;
        this.fetcher = new BlobFetcher(store, upstreams, leases, peers, events, node, metrics,
                new StorageFull(store::freeSpace, Clock.systemUTC()));
    }

    /** Who may read this node's fills ({@link #servePeer}). */
    public FillPeers peers() {
        return peers;
    }

    /**
     * The blob's size, fetching it into the cache when it is not there yet; a client's lookup,
     * counted as a cache hit or miss.
     */
    public Future<Long> stat(ProxyTarget target, Digest digest) {
        return store.stat(digest).compose(size -> {
            metrics.cacheLookup(target.rule().prefix(), CacheMeters.Kind.BLOB,
                    size.isPresent() ? CacheMeters.Result.HIT : CacheMeters.Result.MISS);
            return size.isPresent() ? Future.succeededFuture(size.get()) : fill(target, digest).length();
        });
    }

    /** Whether the blob is stored already, without fetching it or counting a lookup. */
    public Future<Boolean> isCached(Digest digest) {
        return store.stat(digest).map(Optional::isPresent);
    }

    /** True when {@code content} from {@link #open} follows a download from the upstream. */
    public static boolean fromUpstream(BlobContent content) {
        return content instanceof BlobContent.Stream stream
                && (stream.stream() instanceof FillReader || stream.stream() instanceof SpoolReader);
    }

    /**
     * Opens {@code range} of a blob whose size {@link #stat} gave. A read of a blob being filled
     * follows the download: live from its first byte when it has not begun, through the spool file
     * otherwise (a range, from the first byte spooled on); where there is no spool file to follow,
     * it waits until the blob is stored.
     */
    public Future<BlobContent> open(ProxyTarget target, Digest digest, ByteRange range, long size, Context context) {
        BlobFill running = fills.get(digest);
        if (running == null) {
            // Garbage collection may have deleted the blob since the stat: fetch it again rather than fail.
            return store.open(digest, range).recover(failure -> failure instanceof RegistryException e
                    && e.code() == OciErrorCode.BLOB_UNKNOWN
                    ? fill(target, digest).committed().compose(v -> store.open(digest, range))
                    : Future.failedFuture(failure));
        }
        Optional<FillReader> live = range.offset() == 0 && range.length() == size
                ? running.reader(context) : Optional.empty();
        if (live.isPresent()) {
            return Future.succeededFuture(new BlobContent.Stream(live.get(), size));
        }
        return running.follow(context, range).compose(follower -> follower.isPresent()
                ? Future.succeededFuture(new BlobContent.Stream(follower.get(), range.length()))
                : running.committed().compose(stored -> store.open(digest, range)));
    }

    /**
     * A presigned URL of the stored blob for a redirect, as distribution and ECR answer blob GETs;
     * empty while the blob is being filled here or when the store offers no such URLs.
     */
    public Future<Optional<URI>> redirectUrl(Digest digest) {
        return fills.containsKey(digest) ? Future.succeededFuture(Optional.empty())
                : store.presignedUrl(digest, REDIRECT_VALIDITY);
    }

    /**
     * Completes once no fill of {@code digest} runs on this node (stored, or abandoned). A client
     * following a fill gets its last bytes once they are verified, which can be before the blob is
     * durable in the store.
     */
    public Future<Void> idle(Digest digest) {
        BlobFill running = fills.get(digest);
        return running == null ? Future.succeededFuture() : running.committed().otherwiseEmpty();
    }

    /** Makes sure the blob is stored, fetching it if needed; completes when it is. */
    public Future<Void> prefetch(ProxyTarget target, Digest digest) {
        return store.stat(digest).compose(size -> size.isPresent() ? Future.succeededFuture()
                : fill(target, digest).committed());
    }

    /**
     * For another node relaying this node's fetch ({@link FillPeers}): the blob's bytes from
     * {@code offset} on, following the fill as it grows, the last one once verified; empty when no
     * fill of it runs here (it was stored meanwhile, or never fetched here).
     */
    public Future<Optional<BlobContent.Stream>> servePeer(Digest digest, long offset, Context context) {
        BlobFill running = fills.get(digest);
        if (running == null) {
            return Future.succeededFuture(Optional.empty());
        }
        return running.length().compose(size -> offset < 0 || offset >= size
                ? Future.succeededFuture(Optional.empty())
                : running.follow(context, new ByteRange(offset, size - offset))
                        .map(follower -> follower.map(reader -> new BlobContent.Stream(reader, size - offset))));
    }

    private BlobFill fill(ProxyTarget target, Digest digest) {
        String what = "fetching blob " + target.describe(digest) + " from " + target.rule().upstreamUrl();
        BlobFill fill = new BlobFill(digest, store, what);
        BlobFill running = fills.putIfAbsent(digest, fill);
        if (running != null) {
            return running;
        }
        fill.committed().onComplete(done -> fills.remove(digest, fill));
        fetcher.run(target, fill, what, Vertx.currentContext());
        return fill;
    }
}
