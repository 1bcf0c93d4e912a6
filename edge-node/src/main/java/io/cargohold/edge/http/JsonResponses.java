package io.cargohold.edge.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Writes a JSON body, with an optional pagination {@code Link}. */
final class JsonResponses {

    private JsonResponses() {
    }

    static Future<Void> send(HttpServerRequest request, JsonObject body, String link) {
        Buffer bytes = body.toBuffer();
        HttpServerResponse response = request.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(bytes.length()));
        if (link != null) {
            response.putHeader(Headers.LINK, link);
        }
        return request.method() == HttpMethod.HEAD ? response.end() : response.end(bytes);
    }
}
