package io.cargohold.upstream.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

/** Reads response bodies that must stay small (manifests, error bodies), never past a limit. */
final class BoundedBody {

    /** Error bodies and redirect bodies are read up to this much, the rest is dropped. */
    static final int ERROR_BODY_LIMIT = 64 * 1024;

    private BoundedBody() {
    }

    /** The body is larger than allowed; the exchange was reset. */
    static final class TooLargeException extends RuntimeException {
        private final long limit;

        TooLargeException(long limit, long seen) {
            super("body larger than " + limit + " bytes (" + seen + " or more)", null, false, false);
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    /**
     * Reads the whole body, failing with {@link TooLargeException} as soon as the declared
     * Content-Length or the bytes received pass {@code maxBytes}; never holds more than that.
     */
    static Future<Buffer> read(UpstreamBody body, long maxBytes) {
        String declared = body.response().getHeader("Content-Length");
        if (declared != null) {
            try {
                long length = Long.parseLong(declared.trim());
                if (length > maxBytes) {
                    body.reset();
                    return Future.failedFuture(new TooLargeException(maxBytes, length));
                }
            } catch (NumberFormatException ignored) {
                // checked while reading
            }
        }
        return collect(body, maxBytes, true);
    }

    /** Reads up to {@code limit} bytes of the body; when there is more, the exchange is reset. */
    static Future<Buffer> readTruncated(UpstreamBody body, int limit) {
        return collect(body, limit, false);
    }

    /** Lets a body go (a redirect's or a 401's) so the connection can be reused when it is small. */
    static Future<Void> discard(UpstreamBody body) {
        return readTruncated(body, ERROR_BODY_LIMIT).mapEmpty();
    }

    private static Future<Buffer> collect(UpstreamBody response, long limit, boolean failWhenLarger) {
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        long[] seen = {0};
        response.exceptionHandler(promise::tryFail);
        response.handler(chunk -> {
            if (promise.future().isComplete()) {
                return;
            }
            seen[0] += chunk.length();
            if (seen[0] > limit) {
                if (failWhenLarger) {
                    promise.tryFail(new TooLargeException(limit, seen[0]));
                } else {
                    body.appendBuffer(chunk, 0, (int) (limit - body.length()));
                    promise.tryComplete(body);
                }
                response.reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.endHandler(v -> promise.tryComplete(body));
        response.resume();
        return promise.future();
    }
}
