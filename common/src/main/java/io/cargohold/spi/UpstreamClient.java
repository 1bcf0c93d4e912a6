package io.cargohold.spi;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One upstream registry, with its credentials. Repository names here are the upstream's own
 * (after a rule's prefix was replaced). Failures are {@code UpstreamException}s.
 */
public interface UpstreamClient {

    /** The upstream's host, for messages and metrics. */
    String host();

    /** Fetches a manifest; fails when it is larger than {@code maxBytes}. */
    Future<UpstreamManifest> getManifest(String repository, Reference reference, long maxBytes);

    /** Asks for a manifest's digest and type without its body (HEAD). */
    Future<UpstreamManifest.Head> headManifest(String repository, Reference reference);

    /**
     * Starts fetching a blob; the body is paused until the caller pipes it, and a
     * {@link DiscardableStream} the caller may drop unread.
     */
    default Future<BlobContent.Stream> getBlob(String repository, Digest digest) {
        return getBlob(repository, digest, 0);
    }

    /**
     * Starts fetching a blob from byte {@code offset} on, to resume a fetch another node began; the
     * body (paused, a {@link DiscardableStream}) and its length cover the bytes from {@code offset}
     * to the end.
     */
    Future<BlobContent.Stream> getBlob(String repository, Digest digest, long offset);

    /**
     * The upstream's OCI referrers index of {@code subject} (at most {@code maxBytes}); empty when the
     * upstream has no referrers API.
     */
    Future<Optional<byte[]>> getReferrers(String repository, Digest subject, long maxBytes);

    /**
     * The repository's tags as the upstream lists them, at most {@code maxTags}; fails with
     * {@code NAME_UNKNOWN} when the upstream does not know the repository.
     */
    Future<List<String>> listTags(String repository, int maxTags);

    /** The last {@code RateLimit-Remaining} the upstream sent (Docker Hub), if any. */
    default OptionalLong rateLimitRemaining() {
        return OptionalLong.empty();
    }
}
