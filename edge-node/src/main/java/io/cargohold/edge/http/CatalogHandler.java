package io.cargohold.edge.http;

import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v2/_catalog}: the cached repositories the caller may list ({@link RegistryAccess#listable}), a
 * page at a time in the storage's key order. Storage pages are read and filtered until the answer's page is
 * full, so a caller who may list few repositories does not get empty pages; but no request reads more than
 * {@value #MAX_SCANNED} names: past that, the page so far is answered with a {@code Link} that continues after
 * the last name read.
 */
final class CatalogHandler {

    static final int MAX_SCANNED = 2 * Pagination.MAX_PAGE;

    private final MetadataStore metadata;
    private final RegistryAccess access;

    CatalogHandler(MetadataStore metadata, RegistryAccess access) {
        this.metadata = metadata;
        this.access = access;
    }

    Future<Void> handle(HttpServerRequest request) {
        Pagination pagination = Pagination.of(request);
        if (pagination.n() == 0) {
            return send(request, List.of(), null);
        }
        int batch = Math.min(Pagination.MAX_PAGE, Math.max(pagination.probe(), 100));
        return collect(request, pagination, pagination.last(), batch, new ArrayList<>(), 0);
    }

    /** Reads the names after {@code after}, keeping the listable ones in {@code visible}, until the page is decided. */
    private Future<Void> collect(HttpServerRequest request, Pagination pagination, String after, int batch,
                                 List<String> visible, int scanned) {
        return metadata.repositoryNames(after, batch).compose(names -> access.listable(request, names)
                .compose(listable -> {
                    visible.addAll(listable);
                    if (visible.size() >= pagination.probe() || names.size() < batch) {
                        return send(request, pagination.page(visible), pagination.nextLink(request.path(), visible));
                    }
                    String lastRead = names.get(names.size() - 1);
                    if (scanned + names.size() >= MAX_SCANNED) {
                        return send(request, visible, pagination.link(request.path(), lastRead));
                    }
                    return collect(request, pagination, lastRead, batch, visible, scanned + names.size());
                }));
    }

    private static Future<Void> send(HttpServerRequest request, List<String> repositories, String link) {
        JsonObject body = new JsonObject().put("repositories", new JsonArray(repositories));
        return JsonResponses.send(request, body, link);
    }
}
