package io.cargohold.edge.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;

/** Who may do what on the registry API: checked before each request is dispatched. */
public interface RegistryAccess {

    /** Every request allowed and no token endpoint: the config has no {@code auth}. */
    RegistryAccess ANONYMOUS = new RegistryAccess() {
        @Override
        public Future<Void> check(HttpServerRequest request, RegistryPath path) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> token(HttpServerRequest request) {
            return Future.failedFuture(Routes.noSuchRoute(request));
        }

        @Override
        public Future<List<String>> listable(HttpServerRequest request, List<String> repositories) {
            return Future.succeededFuture(repositories);
        }
    };

    /**
     * Completes when the request may go on; fails with {@code UNAUTHORIZED} (the response carrying the
     * challenge) or {@code DENIED}.
     */
    Future<Void> check(HttpServerRequest request, RegistryPath path);

    /** Answers the token endpoint, {@code GET /v2/token}. */
    Future<Void> token(HttpServerRequest request);

    /**
     * Of {@code repositories} (a page of the catalog, for a request {@link #check} let through), those the
     * caller may see listed, in their order.
     */
    Future<List<String>> listable(HttpServerRequest request, List<String> repositories);
}
