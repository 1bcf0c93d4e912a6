package io.cargohold.edge.http;

import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v2/_catalog}: every cached repository, paginated. */
final class CatalogHandler {

    private final MetadataStore metadata;

    CatalogHandler(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<Void> handle(HttpServerRequest request) {
        Pagination pagination = Pagination.of(request);
        return metadata.repositoryNames().compose(names -> {
            var page = pagination.page(names);
            JsonObject body = new JsonObject().put("repositories", new JsonArray(page));
            return JsonResponses.send(request, body, pagination.nextLink(request.path(), names, page));
        });
    }
}
