package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.UpstreamClient;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * An {@link UpstreamClient} decorator that times every call by upstream, operation and status and
 * keeps the upstream's last {@code RateLimit-Remaining}. A manifest download counts as a fetch in
 * flight until its body is read; blob downloads are counted by the fill that runs them.
 */
public final class MeteredUpstreamClient implements UpstreamClient {

    private final UpstreamClient delegate;
    private final CacheMeters metrics;

    public MeteredUpstreamClient(UpstreamClient delegate, CacheMeters metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public String host() {
        return delegate.host();
    }

    @Override
    public Future<UpstreamManifest> getManifest(String repository, Reference reference, long maxBytes) {
        return metrics.fetching(() -> timed(CacheMeters.Operation.MANIFEST_GET,
                () -> delegate.getManifest(repository, reference, maxBytes)));
    }

    @Override
    public Future<UpstreamManifest.Head> headManifest(String repository, Reference reference) {
        return timed(CacheMeters.Operation.MANIFEST_HEAD, () -> delegate.headManifest(repository, reference));
    }

    @Override
    public Future<BlobContent.Stream> getBlob(String repository, Digest digest, long offset) {
        return timed(CacheMeters.Operation.BLOB_GET, () -> delegate.getBlob(repository, digest, offset));
    }

    @Override
    public Future<Optional<byte[]>> getReferrers(String repository, Digest subject, long maxBytes) {
        return metrics.fetching(() -> timed(CacheMeters.Operation.REFERRERS_GET,
                () -> delegate.getReferrers(repository, subject, maxBytes)));
    }

    @Override
    public Future<List<String>> listTags(String repository, int maxTags) {
        return timed(CacheMeters.Operation.TAGS_LIST, () -> delegate.listTags(repository, maxTags));
    }

    @Override
    public OptionalLong rateLimitRemaining() {
        return delegate.rateLimitRemaining();
    }

    private <T> Future<T> timed(CacheMeters.Operation operation, Supplier<Future<T>> call) {
        long started = System.nanoTime();
        return call.get().andThen(done -> {
            metrics.upstreamRequest(host(), operation, status(done), System.nanoTime() - started);
            delegate.rateLimitRemaining().ifPresent(remaining -> metrics.rateLimitRemaining(host(), remaining));
        });
    }

    private static int status(AsyncResult<?> done) {
        if (done.succeeded()) {
            return 200;
        }
        return done.cause() instanceof UpstreamException upstream ? upstream.upstreamStatus() : 0;
    }
}
