package io.cargohold.edge.http;

import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.RuleResolver;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.oci.error.OciError;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Locale;

/**
 * The pull side of the OCI Distribution API: dispatches each request to its route family's
 * handler and turns every failure into an OCI error response. Every request is timed by route,
 * method and status ({@link EdgeMetrics#requestServed}) and written to the {@link AccessLog}, with
 * what its handlers noted in its {@link AccessRecord}.
 */
public final class Routes implements Handler<HttpServerRequest> {

    /** containerd's mirror parameter: the registry host the client means ({@code ns=docker.io}). */
    public static final String MIRROR_NAMESPACE = "ns";

    private final RuleResolver rules;
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final TagsHandler tags;
    private final ReferrersHandler referrers;
    private final CatalogHandler catalog;
    private final PeerFillHandler peerFills;
    private final EdgeMetrics metrics;
    private final RegistryAccess access;
    private final AccessLog accessLog;

    /**
     * {@code redirectBlobs}: stored blobs are answered with a redirect to the store (storage.redirect);
     * {@code access} checks every request first; {@code accessLog}: {@code log.access}.
     */
    public Routes(PullThrough pullThrough, EdgeMetrics metrics, boolean redirectBlobs, RegistryAccess access,
                  boolean accessLog) {
        this.access = access;
        this.accessLog = new AccessLog(accessLog);
        this.rules = pullThrough.rules();
        this.metrics = metrics;
        this.manifests = new ManifestHandler(pullThrough.manifests(), pullThrough.metrics(), metrics);
        this.blobs = new BlobHandler(pullThrough.blobs(), redirectBlobs, metrics);
        this.tags = new TagsHandler(pullThrough.metadata(), pullThrough.upstreamTags());
        this.referrers = new ReferrersHandler(pullThrough.referrers());
        this.catalog = new CatalogHandler(pullThrough.metadata(), access);
        this.peerFills = new PeerFillHandler(pullThrough.blobs());
    }

    @Override
    public void handle(HttpServerRequest request) {
        AccessRecord record = new AccessRecord();
        boolean peer = PeerFillHandler.matches(request);
        RegistryPath path = peer ? null : parseOrNull(request.path());
        HttpServerResponse response = request.response();
        String route = peer ? "peer_fill" : path == null ? "invalid" : path.route().name().toLowerCase(Locale.ROOT);
        // Any other method is one label: clients choose methods, and each label value is a new series.
        String method = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD
                ? request.method().name() : "other";
        // The end handler is not called when the connection closes before the response ended: the close handler is.
        Handler<Void> finished = v -> {
            if (record.finish()) {
                int status = AccessLog.status(response);
                accessLog.write(request, record, status);
                metrics.requestServed(route, method, status, System.nanoTime() - record.startedNanos);
            }
        };
        response.endHandler(finished).closeHandler(finished);
        response.putHeader(Headers.API_VERSION, "registry/2.0");
        Future<Void> handled;
        try {
            handled = peer ? peerFills.handle(request) : dispatch(request, path, record);
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
    private Future<Void> dispatch(HttpServerRequest request, RegistryPath parsed, AccessRecord record) {
        boolean token = parsed != null && parsed.route() == RegistryPath.Route.TOKEN;
        HttpMethod method = request.method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD && !(token && method == HttpMethod.POST)) {
            ErrorResponses.send(request, 405, new OciError(OciErrorCode.UNSUPPORTED,
                    "a pull-through cache accepts only GET and HEAD (and POST on its token endpoint)", method.name()));
            return Future.succeededFuture();
        }
        if (token) {
            return access.token(request, record::user);
        }
        RegistryPath path = parsed != null ? parsed : RegistryPath.parse(request.path());
        return access.check(request, path).compose(user -> {
            record.user(user);
            return route(request, path, record);
        });
    }

    private Future<Void> route(HttpServerRequest request, RegistryPath path, AccessRecord record) {
        return switch (path.route()) {
            case BASE -> request.response().putHeader("Content-Type", "application/json").end("{}");
            case CATALOG -> catalog.handle(request);
            case TAGS -> tags.handle(request, admitted(resolve(request, path, record)));
            case MANIFEST -> manifests.handle(request, resolve(request, path, record), path.reference(), record);
            case BLOB -> blobs.handle(request, admitted(resolve(request, path, record)), path.reference(), record);
            case REFERRERS -> referrers.handle(request, admitted(resolve(request, path, record)), path.reference());
            case TOKEN, NOT_FOUND -> Future.failedFuture(noSuchRoute(request));
        };
    }

    private ProxyTarget resolve(HttpServerRequest request, RegistryPath path, AccessRecord record) {
        String namespace = request.getParam(MIRROR_NAMESPACE);
        ProxyTarget target = rules.resolve(path.name(), namespace);
        record.target(target, namespace);
        return target;
    }

    /**
     * A repository the rule's allow and deny lists let in, for the routes of a whole repository; manifests are
     * checked by the cache itself, by tag and with an {@code image-denied} event.
     */
    private static ProxyTarget admitted(ProxyTarget target) {
        target.admit(null);
        return target;
    }

    static RegistryException noSuchRoute(HttpServerRequest request) {
        return new RegistryException(OciErrorCode.UNSUPPORTED, "no such route", request.path(), 404, null);
    }
}
