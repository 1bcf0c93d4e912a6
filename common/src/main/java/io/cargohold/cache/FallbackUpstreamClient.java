package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.UpstreamClient;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The client of one version of a rule that, when the upstream rejects its credentials, tries once
 * with the client of the rule's other recent version (same upstream), and once more with its own
 * when that is rejected too. So a rule whose credentials
 * are changed in place keeps pulling whichever side of the upstream's own rotation it is on.
 */
final class FallbackUpstreamClient implements UpstreamClient {

    private final UpstreamClient primary;
    private final Supplier<UpstreamClient> fallback;

    FallbackUpstreamClient(UpstreamClient primary, Supplier<UpstreamClient> fallback) {
        this.primary = primary;
        this.fallback = fallback;
    }

    @Override
    public String host() {
        return primary.host();
    }

    @Override
    public Future<UpstreamManifest> getManifest(String repository, Reference reference, long maxBytes) {
        return withFallback(client -> client.getManifest(repository, reference, maxBytes));
    }

    @Override
    public Future<UpstreamManifest.Head> headManifest(String repository, Reference reference) {
        return withFallback(client -> client.headManifest(repository, reference));
    }

    @Override
    public Future<BlobContent.Stream> getBlob(String repository, Digest digest, long offset) {
        return withFallback(client -> client.getBlob(repository, digest, offset));
    }

    @Override
    public Future<Optional<byte[]>> getReferrers(String repository, Digest subject, long maxBytes) {
        return withFallback(client -> client.getReferrers(repository, subject, maxBytes));
    }

    @Override
    public Future<List<String>> listTags(String repository, int maxTags) {
        return withFallback(client -> client.listTags(repository, maxTags));
    }

    @Override
    public OptionalLong rateLimitRemaining() {
        return primary.rateLimitRemaining();
    }

    private <T> Future<T> withFallback(Function<UpstreamClient, Future<T>> call) {
        return call.apply(primary).recover(failure -> {
            UpstreamClient other = fallback.get();
            if (other == null || !isRejected(failure)) {
                return Future.failedFuture(failure);
            }
            // The upstream may switch passwords between the two tries, rejecting both: then the
            // rule's own version, the one the upstream is moving to, gets one more.
            return call.apply(other).recover(second -> isRejected(second) ? call.apply(primary)
                    : Future.failedFuture(second));
        });
    }

    private static boolean isRejected(Throwable failure) {
        return failure instanceof UpstreamException upstream
                && (upstream.upstreamStatus() == 401 || upstream.upstreamStatus() == 403);
    }
}
