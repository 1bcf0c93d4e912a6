package io.cargohold.cache;

import io.cargohold.oci.ByteRange;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link BlobFill} gets its bytes, one upstream fetch per blob across the cluster: the
 * node that claims the blob's fetch lease fetches it from the upstream and stores it; a node that
 * finds the lease held elsewhere relays that holder's fetch as it runs ({@link FillPeers}), and
 * waits for the lease to go. When the holder dies mid-blob, its lease lapses and the fill goes on
 * from the byte it reached: from the next holder, or from the upstream (a {@code Range} request)
 * once this node holds the lease, or from the store when the blob was stored meanwhile.
 */
final class BlobFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(BlobFetcher.class);

    private final BlobStore store;
    private final Upstreams upstreams;
    private final FetchLeases leases;
    private final FillPeers peers;
    private final EventPublisher events;
    private final String node;
    private final CacheMeters metrics;
    private final StorageFull storageFull;

    BlobFetcher(BlobStore store, Upstreams upstreams, FetchLeases leases, FillPeers peers, EventPublisher events,
                String node, CacheMeters metrics, StorageFull storageFull) {
        this.store = store;
        this.upstreams = upstreams;
        this.leases = leases;
        this.peers = peers;
        this.events = events;
        this.node = node;
        this.metrics = metrics;
        this.storageFull = storageFull;
    }

    /**
     * Runs {@code fill} to its end: the blob stored, or the fill abandoned; each step after a wait
     * for another node's lease runs on {@code context} again (the caller's, when it has one).
     */
    void run(ProxyTarget target, BlobFill fill, String what, Context context) {
        store.stat(fill.digest()).compose(size -> {
            if (size.isPresent()) {
                stored(fill, size.get(), context);
                return Future.succeededFuture();
            }
            return leases.claim("blob:" + fill.digest()).compose(claim -> claim.held()
                    ? fetch(target, fill, what, claim, context)
                    : relay(fill, claim).eventually(claim::released).onComplete(v -> {
                        if (context == null) {
                            run(target, fill, what, null);
                        } else {
                            context.runOnContext(again -> run(target, fill, what, context));
                        }
                    }));
        }).onFailure(fill::abandon);
    }

    /** Holding the lease: fetches what the fill lacks from the upstream, unless it was stored meanwhile. */
    private Future<Void> fetch(ProxyTarget target, BlobFill fill, String what, FetchLeases.Claim claim,
                               Context context) {
        return store.stat(fill.digest()).compose(size -> {
            if (size.isPresent()) {
                stored(fill, size.get(), context);
                return Future.<Void>succeededFuture();
            }
            if (fill.relayedAndDropped()) {
                // Its clients have every byte; the ones still waiting for the store ask again.
                fill.abandon(new IllegalStateException("the node that fetched it did not store it"));
                return Future.<Void>succeededFuture();
            }
            return metrics.fetching(() -> fill.append(storageFull.admit(fill.digest())
                            .compose(v -> upstream(target, fill))
                            .compose(body -> storageFull.fit(fill.digest(), body, what)))
                    .onSuccess(v -> fill.commit())
                    .onFailure(fill::abandon)
                    .compose(v -> fill.committed())
                    .onFailure(failure -> {
                        storageFull.failed(fill.digest(), failure, fill.length(), what);
                        events.publish(RegistryEvent.upstreamError(target.name(), null, fill.digest().value(),
                                detail(what, failure), node));
                    }));
        }).andThen(done -> claim.release());
    }

    /**
     * Relays the holder's fetch into the fill while it runs; completes when the relay ended either
     * way (a relay that broke off leaves what it received for the next source).
     */
    private Future<Void> relay(BlobFill fill, FetchLeases.Claim claim) {
        if (!peers.enabled() || claim.holder().isEmpty()) {
            return Future.succeededFuture();
        }
        return fill.append(peers.read(claim.holder().get(), fill.digest(), fill.written()))
                .compose(v -> fill.discardVerified())
                .recover(failure -> {
                    LOG.debug("relaying {} from {} stopped at byte {}: {}", fill.digest(), claim.holder().get(),
                            fill.written(), failure.getMessage());
                    return Future.succeededFuture();
                });
    }

    private Future<BlobContent.Stream> upstream(ProxyTarget target, BlobFill fill) {
        long offset = fill.written();
        if (offset == 0) {
            events.publish(RegistryEvent.of(RegistryEvent.CACHE_MISS, target.name(), null, fill.digest().value(),
                    null, -1, node));
        }
        return upstreams.client(target.rule()).getBlob(target.upstreamRepository(), fill.digest(), offset);
    }

    /** Ends {@code fill} on the stored blob, its readers continuing from the store where it broke off. */
    private void stored(BlobFill fill, long size, Context context) {
        fill.stored(size, offset -> store.open(fill.digest(), new ByteRange(offset, size - offset))
                .compose(content -> content instanceof BlobContent.FileRegion && context == null
                        ? Future.failedFuture(new IllegalStateException("no Vert.x context to read " + fill.digest()))
                        : FillReader.streamOf(context, content))
                .map(stream -> new BlobContent.Stream(stream, size - offset)));
    }

    /** The failure's message, prefixed with what was fetched from where unless it already says so. */
    private static String detail(String what, Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        return message.startsWith(what) ? message : what + " failed: " + message;
    }
}
