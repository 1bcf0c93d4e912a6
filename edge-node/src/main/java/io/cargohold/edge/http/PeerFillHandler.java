package io.cargohold.edge.http;

import io.cargohold.cache.FillPeers;
import io.cargohold.cache.ProxyBlobStore;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /internal/v1/fills/<digest>?offset=N}: another edge relaying a blob this node is
 * fetching ({@link FillPeers}), on an edge's registry port or, on a node that serves no registry (a
 * refresher prefetching), its admin port. Only requests with the cluster's key are answered; a
 * blob not being fetched here is {@code 404}, and the peer then waits for it in the store.
 */
public final class PeerFillHandler {

    private final ProxyBlobStore blobs;

    public PeerFillHandler(ProxyBlobStore blobs) {
        this.blobs = blobs;
    }

    static boolean matches(HttpServerRequest request) {
        return request.path().startsWith(FillPeers.PATH);
    }

    /** Answers the request, failures included (as OCI errors). */
    public void serve(HttpServerRequest request) {
        Future<Void> handled;
        try {
            handled = handle(request);
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        handled.onFailure(failure -> ErrorResponses.send(request, failure));
    }

    Future<Void> handle(HttpServerRequest request) {
        if (!blobs.peers().admits(request.getHeader(FillPeers.KEY_HEADER))) {
            return Future.failedFuture(new RegistryException(OciErrorCode.DENIED,
                    "the internal fill endpoint is for the cluster's edges only", null, 403, null));
        }
        Digest digest = Digest.parse(request.path().substring(FillPeers.PATH.length()));
        long offset = parseOffset(request.getParam("offset"));
        return blobs.servePeer(digest, offset, Vertx.currentContext()).compose(bytes -> {
            if (bytes.isEmpty()) {
                return Future.failedFuture(new RegistryException(OciErrorCode.BLOB_UNKNOWN,
                        "no fetch of this blob runs on this node", digest.value(), 404, null));
            }
            request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.OCTET_STREAM)
                    .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(bytes.get().length()));
            // A relay cut short must reach the peer as a reset, never as a clean end.
            return bytes.get().stream().pipe().endOnFailure(false).to(request.response());
        });
    }

    private static long parseOffset(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new RegistryException(OciErrorCode.UNSUPPORTED, "offset must be a number of bytes", value, 400, e);
        }
    }
}
