package io.cargohold.edge.http;

import io.cargohold.oci.error.OciError;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RangeNotSatisfiableException;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become OCI error responses (distribution's {@code errcode/handler.go}). */
public final class ErrorResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    public static void send(HttpServerRequest request, Throwable failure) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            // Part of the body is out: only an aborted connection tells the client it is incomplete.
            LOG.warn("{} {} aborted mid-response: {}", request.method(), request.path(), failure.getMessage());
            response.reset();
            return;
        }
        RegistryException error = RegistryException.of(failure);
        if (error.httpStatus() >= 500) {
            LOG.warn("{} {} failed: {}", request.method(), request.path(), error.getMessage(),
                    error.code() == OciErrorCode.UNKNOWN ? failure : null);
        }
        if (error instanceof RangeNotSatisfiableException range) {
            response.putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange());
        }
        send(request, error.httpStatus(), error.toError());
    }

    public static void send(HttpServerRequest request, int status, OciError error) {
        // Bytes, not characters: a message may quote non-ASCII text from the request.
        Buffer body = Buffer.buffer(error.toBody());
        HttpServerResponse response = request.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.end(body);
        }
    }
}
