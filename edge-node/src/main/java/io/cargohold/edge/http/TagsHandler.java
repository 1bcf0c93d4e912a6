package io.cargohold.edge.http;

import io.cargohold.edge.proxy.ProxyTarget;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v2/<name>/tags/list}: the cached tags of a repository, paginated. */
final class TagsHandler {

    private final MetadataStore metadata;

    TagsHandler(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target) {
        Pagination pagination = Pagination.of(request);
        return metadata.repository(target.name()).compose(repository -> {
            if (repository.isEmpty()) {
                return Future.failedFuture(RegistryException.nameUnknown(target.name()));
            }
            return metadata.tags(target.name(), pagination.last(), pagination.probe()).compose(tags -> {
                JsonObject body = new JsonObject().put("name", target.name())
                        .put("tags", new JsonArray(pagination.page(tags)));
                return JsonResponses.send(request, body, pagination.nextLink(request.path(), tags));
            });
        });
    }
}
