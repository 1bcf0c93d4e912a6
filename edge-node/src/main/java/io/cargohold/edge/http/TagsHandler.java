package io.cargohold.edge.http;

import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.UpstreamTags;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code GET /v2/<name>/tags/list}, paginated in lexical order: the upstream's tags (rule
 * {@code tagsList: upstream}, the default), or the cached ones ({@code tagsList: cached}, or with a
 * {@code Warning} when the upstream cannot answer and the repository is cached).
 */
final class TagsHandler {

    private final MetadataStore metadata;
    private final UpstreamTags upstreamTags;

    TagsHandler(MetadataStore metadata, UpstreamTags upstreamTags) {
        this.metadata = metadata;
        this.upstreamTags = upstreamTags;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target) {
        Pagination pagination = Pagination.of(request);
        if (!target.rule().listsUpstreamTags()) {
            return cached(request, target, pagination, null);
        }
        return upstreamTags.tags(target)
                .compose(tags -> send(request, target, pagination, after(tags, pagination), null))
                .recover(failure -> failure instanceof UpstreamException upstream
                        ? cached(request, target, pagination, upstream)
                        : Future.failedFuture(failure));
    }

    /**
     * The cached tags; {@code upstreamFailure}: why the upstream's could not be listed, answered as the error
     * when the repository is not cached either.
     */
    private Future<Void> cached(HttpServerRequest request, ProxyTarget target, Pagination pagination,
                                UpstreamException upstreamFailure) {
        return metadata.repository(target.name()).compose(repository -> {
            if (repository.isEmpty()) {
                return Future.failedFuture(upstreamFailure != null ? upstreamFailure
                        : RegistryException.nameUnknown(target.name()));
            }
            return metadata.tags(target.name(), pagination.last(), pagination.probe()).compose(tags -> send(request,
                    target, pagination, tags, upstreamFailure == null ? null : upstreamFailure.getMessage()));
        });
    }

    /** Up to {@link Pagination#probe()} tags of a sorted list that come after {@code last}. */
    private static List<String> after(List<String> sorted, Pagination pagination) {
        int start = 0;
        if (pagination.last() != null) {
            int found = Collections.binarySearch(sorted, pagination.last());
            start = found >= 0 ? found + 1 : -found - 1;
        }
        return sorted.subList(start, (int) Math.min(sorted.size(), (long) start + pagination.probe()));
    }

    private static Future<Void> send(HttpServerRequest request, ProxyTarget target, Pagination pagination,
                                     List<String> tags, String staleReason) {
        if (staleReason != null) {
            request.response().putHeader(Headers.WARNING, "110 cargohold \"Response is stale: only cached tags, "
                    + staleReason.replace('"', '\'') + "\"");
        }
        JsonObject body = new JsonObject().put("name", target.name())
                .put("tags", new JsonArray(new ArrayList<>(pagination.page(tags))));
        return JsonResponses.send(request, body, pagination.nextLink(request.path(), tags));
    }
}
