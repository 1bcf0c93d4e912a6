package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.StorageFullException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.DiscardableStream;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The blobs this node could not store for want of space, so that a full store answers
 * {@code 503} at once instead of downloading a blob it cannot keep on every retry. A blob whose
 * Content-Length exceeds the store's free space is refused before its body is read; a refused
 * blob, or one whose write found the disk full, is not fetched again for {@link #WINDOW} unless the
 * store has room for it by then.
 */
final class StorageFull {

    /** How long a refused blob is not fetched again while the store still has no room for it. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Supplier<OptionalLong> freeSpace;
    private final Clock clock;
    private final Map<Digest, Refusal> refused = new ConcurrentHashMap<>();

    /** {@code freeSpace} answers as {@link BlobStore#freeSpace()} does. */
    StorageFull(Supplier<OptionalLong> freeSpace, Clock clock) {
        this.freeSpace = freeSpace;
        this.clock = clock;
    }

    /** Succeeds when {@code digest} may be fetched; fails with the refusal while it is remembered. */
    Future<Void> admit(Digest digest) {
        Refusal refusal = refused.get(digest);
        if (refusal == null) {
            return Future.succeededFuture();
        }
        if (clock.instant().isBefore(refusal.until()) && !fits(refusal.failure().needed())) {
            return Future.failedFuture(refusal.failure());
        }
        refused.remove(digest, refusal);
        return Future.succeededFuture();
    }

    /**
     * {@code body} when the store has room for its Content-Length (or the length is unknown);
     * otherwise drops it unread and fails with {@link StorageFullException}, remembered.
     */
    Future<BlobContent.Stream> fit(Digest digest, BlobContent.Stream body, String what) {
        OptionalLong free = freeSpace.get();
        if (body.length() < 0 || free.isEmpty() || body.length() <= free.getAsLong()) {
            return Future.succeededFuture(body);
        }
        if (body.stream() instanceof DiscardableStream discardable) {
            discardable.discard();
        }
        StorageFullException full = new StorageFullException(what + ": the blob's " + body.length()
                + " bytes exceed the store's " + free.getAsLong() + " free bytes", body.length(), null);
        remember(digest, full);
        return Future.failedFuture(full);
    }

    /**
     * Remembers a fetch of {@code digest} that failed with {@code failure} because a write found the
     * disk full; {@code length} is the blob's size, when the upstream declared it. A failure that is a
     * refusal already remembered changes nothing, so retries do not extend the window.
     */
    void failed(Digest digest, Throwable failure, Future<Long> length, String what) {
        if (!(failure instanceof StorageFullException full) || isRemembered(digest, full)) {
            return;
        }
        long declared = length.succeeded() ? length.result() : -1;
        String of = declared > full.needed() ? " of " + declared : "";
        remember(digest, new StorageFullException(what + ": no space left on device after " + full.needed() + of
                + " bytes", Math.max(full.needed(), declared), full));
    }

    private boolean isRemembered(Digest digest, StorageFullException failure) {
        Refusal refusal = refused.get(digest);
        return refusal != null && refusal.failure() == failure;
    }

    private void remember(Digest digest, StorageFullException failure) {
        Instant now = clock.instant();
        refused.values().removeIf(refusal -> !now.isBefore(refusal.until()));
        refused.put(digest, new Refusal(failure, now.plus(WINDOW)));
    }

    private boolean fits(long needed) {
        OptionalLong free = freeSpace.get();
        return free.isPresent() && free.getAsLong() >= needed;
    }

    private record Refusal(StorageFullException failure, Instant until) {
    }
}
