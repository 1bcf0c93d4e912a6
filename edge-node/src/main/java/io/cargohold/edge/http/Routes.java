package io.cargohold.edge.http;

import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.edge.proxy.RuleResolver;
import io.cargohold.oci.error.OciError;
import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The pull side of the OCI Distribution API: dispatches each request to its route family's
 * handler and turns every failure into an OCI error response.
 */
public final class Routes implements Handler<HttpServerRequest> {

    private final RuleResolver rules;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final TagsHandler tags;
    private final CatalogHandler catalog;

    /** {@code redirectBlobs}: stored blobs are answered with a redirect to the store (storage.redirect). */
    public Routes(PullThrough pullThrough, boolean redirectBlobs) {
        this.rules = pullThrough.rules();
        this.manifests = new ManifestHandler(pullThrough.manifests());
        this.blobs = new BlobHandler(pullThrough.blobs(), redirectBlobs);
        this.tags = new TagsHandler(pullThrough.metadata());
        this.catalog = new CatalogHandler(pullThrough.metadata());
    }

    @Override
    public void handle(HttpServerRequest request) {
        request.response().putHeader(Headers.API_VERSION, "registry/2.0");
        Future<Void> handled;
        try {
            handled = dispatch(request);
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        handled.onFailure(failure -> ErrorResponses.send(request, failure));
    }

    private Future<Void> dispatch(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            ErrorResponses.send(request, 405, new OciError(OciErrorCode.UNSUPPORTED,
                    "a pull-through cache accepts only GET and HEAD", request.method().name()));
            return Future.succeededFuture();
        }
        RegistryPath path = RegistryPath.parse(request.path());
        return switch (path.route()) {
            case BASE -> request.response().putHeader("Content-Type", "application/json").end("{}");
            case CATALOG -> catalog.handle(request);
            case TAGS -> tags.handle(request, rules.resolve(path.name()));
            case MANIFEST -> manifests.handle(request, rules.resolve(path.name()), path.reference());
            case BLOB -> blobs.handle(request, rules.resolve(path.name()), path.reference());
            case NOT_FOUND -> {
                ErrorResponses.send(request, 404, new OciError(OciErrorCode.UNSUPPORTED, "no such route",
                        request.path()));
                yield Future.succeededFuture();
            }
        };
    }
}
