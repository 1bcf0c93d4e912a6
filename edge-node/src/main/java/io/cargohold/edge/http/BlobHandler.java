package io.cargohold.edge.http;

import io.cargohold.cache.CacheMeters;
import io.cargohold.cache.ProxyBlobStore;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.edge.metrics.EdgeMetrics;
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

import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.file.NoSuchFileException;

/** {@code GET|HEAD /v2/<name>/blobs/<digest>}, with single byte ranges. */
final class BlobHandler {

    private final ProxyBlobStore blobs;
    private final boolean redirect;
    private final EdgeMetrics metrics;

    /** {@code redirect}: answer GETs of stored blobs with a 307 to the store's presigned URL. */
    BlobHandler(ProxyBlobStore blobs, boolean redirect, EdgeMetrics metrics) {
        this.blobs = blobs;
        this.redirect = redirect;
        this.metrics = metrics;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target, String reference, AccessRecord record) {
        Digest digest = Digest.parse(reference);
        long started = System.nanoTime();
        return blobs.stat(target, digest).compose(size -> {
            lookedUp(digest, record, System.nanoTime() - started);
            return redirect && request.method() == HttpMethod.GET
                    ? blobs.redirectUrl(digest).compose(url -> url.isPresent()
                            ? redirect(request.response(), digest, url.get(), record)
                            : serve(request, digest, target, size))
                    : serve(request, digest, target, size);
        });
    }

    /**
     * Notes a hit or a miss: the store had the blob, or a fill of it runs (this request's, or one it
     * joined), and the stat waited on the upstream's answer.
     */
    private void lookedUp(Digest digest, AccessRecord record, long statNanos) {
        boolean filling = !blobs.idle(digest).isComplete();
        record.lookup(filling ? CacheMeters.Result.MISS : CacheMeters.Result.HIT, statNanos);
    }

    private static Future<Void> redirect(HttpServerResponse response, Digest digest, URI url, AccessRecord record) {
        record.redirected();
        return response.setStatusCode(307)
                .putHeader(HttpHeaders.LOCATION, url.toString())
                .putHeader(Headers.CONTENT_DIGEST, digest.value())
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                .end();
    }

    private Future<Void> serve(HttpServerRequest request, Digest digest, ProxyTarget target, long size) {
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
                .compose(content -> send(response, content, range != null))
                // Garbage collection can delete the file between its open and the send: open it
                // again (the proxy fetches it anew) while nothing has been sent yet.
                .recover(failure -> !response.headWritten() && isMissingFile(failure)
                        ? blobs.open(target, digest, sent, size, Vertx.currentContext())
                                .compose(content -> send(response, content, range != null))
                        : Future.failedFuture(failure));
    }

    private static boolean isMissingFile(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoSuchFileException || cause instanceof FileNotFoundException) {
                return true;
            }
        }
        return false;
    }

    private Future<Void> send(HttpServerResponse response, BlobContent content, boolean ranged) {
        EdgeMetrics.Source source = ProxyBlobStore.fromUpstream(content)
                ? EdgeMetrics.Source.UPSTREAM : EdgeMetrics.Source.CACHE;
        Future<Void> sent;
        if (content instanceof BlobContent.FileRegion file) {
            sent = response.sendFile(file.file().toString(), file.offset(), file.length());
        } else {
            if (ranged) {
                // The headers go out at once: a range of a blob being fetched gets its first byte
                // only once the download has reached it.
                response.writeHead();
            }
            // Never end the response when the source fails (pipeTo would): a body cut short must
            // reach the client as a reset connection, not as a clean end it could take for the blob.
            sent = ((BlobContent.Stream) content).stream().pipe().endOnFailure(false).to(response);
        }
        return sent.andThen(done -> metrics.bytesServed(source,
                done.succeeded() ? content.length() : response.bytesWritten()));
    }
}
