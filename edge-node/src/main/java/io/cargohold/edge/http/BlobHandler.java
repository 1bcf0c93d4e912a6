package io.cargohold.edge.http;

import io.cargohold.edge.proxy.ProxyBlobStore;
import io.cargohold.edge.proxy.ProxyTarget;
import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.BlobContent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** {@code GET|HEAD /v2/<name>/blobs/<digest>}, with single byte ranges. */
final class BlobHandler {

    private final ProxyBlobStore blobs;

    BlobHandler(ProxyBlobStore blobs) {
        this.blobs = blobs;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target, String reference) {
        Digest digest = Digest.parse(reference);
        return blobs.stat(target, digest).compose(size -> {
            ByteRange range = RangeHeader.parse(request.getHeader(Headers.RANGE), size);
            ByteRange sent = range == null ? ByteRange.all(size) : range;
            HttpServerResponse response = request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.OCTET_STREAM)
                    .putHeader(Headers.CONTENT_DIGEST, digest.value())
                    .putHeader(HttpHeaders.ETAG, "\"" + digest.value() + "\"")
                    .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=31536000")
                    .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(sent.length()));
            if (range != null) {
                response.setStatusCode(206)
                        .putHeader(HttpHeaders.CONTENT_RANGE, "bytes " + range.offset() + "-" + range.end() + "/" + size);
            }
            if (request.method() == HttpMethod.HEAD) {
                return response.end();
            }
            return blobs.open(target, digest, sent, size, Vertx.currentContext())
                    .compose(content -> send(response, content));
        });
    }

    private static Future<Void> send(HttpServerResponse response, BlobContent content) {
        if (content instanceof BlobContent.FileRegion file) {
            return response.sendFile(file.file().toString(), file.offset(), file.length());
        }
        // Never end the response when the source fails (pipeTo would): a body cut short must
        // reach the client as a reset connection, not as a clean end it could take for the blob.
        return ((BlobContent.Stream) content).stream().pipe().endOnFailure(false).to(response);
    }
}
