package io.cargohold.edge.http;

import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v2/_catalog}: the cached repositories, a page at a time in the storage's key order. */
final class CatalogHandler {

    private final MetadataStore metadata;

    CatalogHandler(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<Void> handle(HttpServerRequest request) {
        Pagination pagination = Pagination.of(request);
        return metadata.repositoryNames(pagination.last(), pagination.probe()).compose(names -> {
            JsonObject body = new JsonObject().put("repositories", new JsonArray(pagination.page(names)));
            return JsonResponses.send(request, body, pagination.nextLink(request.path(), names));
        });
    }
}
