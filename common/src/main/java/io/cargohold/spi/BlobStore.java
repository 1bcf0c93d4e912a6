package io.cargohold.spi;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.vertx.core.Future;

import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Content-addressed blob storage. Content becomes visible only when a {@link BlobWriter} commits
 * it under the digest it was verified against, so a reader never sees a partial blob.
 */
public interface BlobStore {

    /**
     * The order paged listings follow: the storage key order of {@code <algorithm>/<hex>}, which is
     * how an object store sorts its keys and a directory walk sorts its names.
     */
    Comparator<Digest> LISTING_ORDER = Comparator.comparing(digest -> digest.algorithm() + "/" + digest.hex());

    /** The size of a stored blob, or empty when it is not stored. */
    Future<Optional<Long>> stat(Digest digest);

    /** Opens {@code range} of a stored blob; fails with BLOB_UNKNOWN when it is not stored. */
    Future<BlobContent> open(Digest digest, ByteRange range);

    /** Starts writing a new blob; nothing is visible until {@link BlobWriter#commit} succeeds. */
    BlobWriter create();

    /**
     * The bytes a new blob may take now: the free space of the disk {@link #create() writers} write
     * to; empty when the store sets no such limit. One {@code statfs}, cheap enough for an event loop.
     */
    default OptionalLong freeSpace() {
        return OptionalLong.empty();
    }

    /** Every committed blob with its size and when it was last written: what garbage collection sweeps. */
    Future<List<StoredBlob>> list();

    /**
     * Up to {@code limit} committed blobs whose digests come after {@code after} (null: from the
     * first) in {@link #LISTING_ORDER}; an empty page is the end. A sweep holds one page at a time.
     */
    Future<List<StoredBlob>> list(Digest after, int limit);

    /** Deletes a committed blob; answers whether there was one. Only garbage collection deletes blobs. */
    Future<Boolean> delete(Digest digest);

    /**
     * A short-lived URL from which a client can fetch a stored blob itself, for stores that offer
     * one (presigned object-store URLs); empty otherwise.
     */
    default Future<Optional<URI>> presignedUrl(Digest digest, Duration validFor) {
        return Future.succeededFuture(Optional.empty());
    }
}
