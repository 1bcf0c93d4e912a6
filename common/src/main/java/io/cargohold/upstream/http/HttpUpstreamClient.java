package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.spi.UpstreamClient;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * An {@link UpstreamClient} over the OCI Distribution HTTP API with Vert.x core's streaming
 * {@link HttpClient}: one small class per operation ({@link ManifestPuller},
 * {@link ManifestChecker}, {@link BlobPuller}, {@link ReferrersPuller}, {@link TagsPuller}) behind one
 * {@link RegistryEndpointCaller}, which
 * runs the {@code WWW-Authenticate} flow of the {@link RegistryAuthenticator} and follows
 * redirects. Failures are {@code UpstreamException}s saying what was attempted.
 */
public final class HttpUpstreamClient implements UpstreamClient {

    private final Vertx vertx;
    private final URI upstreamUrl;
    private final RegistryEndpointCaller caller;
    private final ManifestPuller manifestPuller;
    private final ManifestChecker manifestChecker;
    private final BlobPuller blobPuller;
    private final ReferrersPuller referrersPuller;
    private final TagsPuller tagsPuller;

    /** With the default time-outs: connect 10 s, idle 60 s. */
    public HttpUpstreamClient(Vertx vertx, HttpClient client, URI upstreamUrl, CredentialsProvider credentials) {
        this(vertx, client, upstreamUrl, credentials, UpstreamTimeouts.DEFAULT);
    }

    /**
     * @param upstreamUrl the registry's base URL, e.g. {@code https://registry-1.docker.io}
     * @param credentials the upstream credentials; {@link CredentialsProvider#ANONYMOUS} for none
     */
    public HttpUpstreamClient(Vertx vertx, HttpClient client, URI upstreamUrl, CredentialsProvider credentials,
                              UpstreamTimeouts timeouts) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.upstreamUrl = Objects.requireNonNull(upstreamUrl, "upstreamUrl");
        if (upstreamUrl.getHost() == null || !("http".equals(upstreamUrl.getScheme())
                || "https".equals(upstreamUrl.getScheme()))) {
            throw new IllegalArgumentException("upstream URL must be http(s)://host[:port]: " + upstreamUrl);
        }
        RegistryAuthenticator authenticator = new RegistryAuthenticator(client, credentials, timeouts);
        this.caller = new RegistryEndpointCaller(client, upstreamUrl, authenticator, timeouts);
        this.manifestPuller = new ManifestPuller(caller);
        this.manifestChecker = new ManifestChecker(caller);
        this.blobPuller = new BlobPuller(caller);
        this.referrersPuller = new ReferrersPuller(caller);
        this.tagsPuller = new TagsPuller(caller);
    }

    @Override
    public String host() {
        return caller.host();
    }

    public URI upstreamUrl() {
        return upstreamUrl;
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public Future<UpstreamManifest> getManifest(String repository, Reference reference, long maxBytes) {
        return onContext(() -> manifestPuller.pull(repository, reference, maxBytes));
    }

    @Override
    public Future<UpstreamManifest.Head> headManifest(String repository, Reference reference) {
        return onContext(() -> manifestChecker.check(repository, reference));
    }

    @Override
    public Future<BlobContent.Stream> getBlob(String repository, Digest digest, long offset) {
        return onContext(() -> blobPuller.pull(repository, digest, offset));
    }

    @Override
    public Future<Optional<byte[]>> getReferrers(String repository, Digest subject, long maxBytes) {
        return onContext(() -> referrersPuller.pull(repository, subject, maxBytes));
    }

    @Override
    public Future<List<String>> listTags(String repository, int maxTags) {
        return onContext(() -> tagsPuller.pull(repository, maxTags));
    }

    /**
     * Runs an operation on a Vert.x context: the caller's, or for a call from another thread (a
     * test, a CLI) one of this client's, so that every step from the answer's head to setting its
     * body handlers runs on one event loop and no body event can slip in between.
     */
    private <T> Future<T> onContext(Supplier<Future<T>> operation) {
        if (Vertx.currentContext() != null) {
            return operation.get();
        }
        Promise<T> promise = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> operation.get().onComplete(promise));
        return promise.future();
    }

    /** The last {@code RateLimit-Remaining} the upstream sent (Docker Hub sends {@code 76;w=21600}). */
    @Override
    public OptionalLong rateLimitRemaining() {
        return caller.rateLimitRemaining();
    }
}
