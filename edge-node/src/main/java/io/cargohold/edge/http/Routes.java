package io.cargohold.edge.http;

import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.edge.proxy.RuleResolver;
import io.cargohold.oci.error.OciError;
import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Locale;

/**
 * The pull side of the OCI Distribution API: dispatches each request to its route family's
 * handler and turns every failure into an OCI error response. Every request is timed by route,
 * method and status ({@link EdgeMetrics#requestServed}).
 */
public final class Routes implements Handler<HttpServerRequest> {

    /** containerd's mirror parameter: the registry host the client means ({@code ns=docker.io}). */
    static final String MIRROR_NAMESPACE = "ns";

    private final RuleResolver rules;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final TagsHandler tags;
    private final ReferrersHandler referrers;
    private final CatalogHandler catalog;
    private final EdgeMetrics metrics;

    /** {@code redirectBlobs}: stored blobs are answered with a redirect to the store (storage.redirect). */
    public Routes(PullThrough pullThrough, boolean redirectBlobs) {
        this.rules = pullThrough.rules();
        this.metrics = pullThrough.metrics();
        this.manifests = new ManifestHandler(pullThrough.manifests(), metrics);
        this.blobs = new BlobHandler(pullThrough.blobs(), redirectBlobs, metrics);
        this.tags = new TagsHandler(pullThrough.metadata());
        this.referrers = new ReferrersHandler(pullThrough.referrers());
        this.catalog = new CatalogHandler(pullThrough.metadata());
    }

    @Override
    public void handle(HttpServerRequest request) {
        long started = System.nanoTime();
        RegistryPath path = parseOrNull(request.path());
        HttpServerResponse response = request.response();
        String route = path == null ? "invalid" : path.route().name().toLowerCase(Locale.ROOT);
        // Also called when the connection closes before the response ended.
        // Any other method is one label: clients choose methods, and each label value is a new series.
        String method = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD
                ? request.method().name() : "other";
        response.endHandler(v -> metrics.requestServed(route, method, response.getStatusCode(),
                System.nanoTime() - started));
        response.putHeader(Headers.API_VERSION, "registry/2.0");
        Future<Void> handled;
        try {
            handled = dispatch(request, path);
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        handled.onFailure(failure -> ErrorResponses.send(request, failure));
    }

    /** The parsed path, or null when its repository name is invalid. */
    private static RegistryPath parseOrNull(String path) {
        try {
            return RegistryPath.parse(path);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code parsed}: the path, or null to parse it again and fail with the reason it is invalid. */
    private Future<Void> dispatch(HttpServerRequest request, RegistryPath parsed) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            ErrorResponses.send(request, 405, new OciError(OciErrorCode.UNSUPPORTED,
                    "a pull-through cache accepts only GET and HEAD", request.method().name()));
            return Future.succeededFuture();
        }
        RegistryPath path = parsed != null ? parsed : RegistryPath.parse(request.path());
        String namespace = request.getParam(MIRROR_NAMESPACE);
        return switch (path.route()) {
            case BASE -> request.response().putHeader("Content-Type", "application/json").end("{}");
            case CATALOG -> catalog.handle(request);
            case TAGS -> tags.handle(request, rules.resolve(path.name(), namespace));
            case MANIFEST -> manifests.handle(request, rules.resolve(path.name(), namespace), path.reference());
            case BLOB -> blobs.handle(request, rules.resolve(path.name(), namespace), path.reference());
            case REFERRERS -> referrers.handle(request, rules.resolve(path.name(), namespace), path.reference());
            case NOT_FOUND -> {
                ErrorResponses.send(request, 404, new OciError(OciErrorCode.UNSUPPORTED, "no such route",
                        request.path()));
                yield Future.succeededFuture();
            }
        };
    }
}
