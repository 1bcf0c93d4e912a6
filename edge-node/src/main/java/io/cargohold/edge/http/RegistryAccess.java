package io.cargohold.edge.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Consumer;

/** Who may do what on the registry API: checked before each request is dispatched. */
public interface RegistryAccess {

    /** Every request allowed and no token endpoint: the config has no {@code auth}. */
    RegistryAccess ANONYMOUS = new RegistryAccess() {
        @Override
        public Future<String> check(HttpServerRequest request, RegistryPath path) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> token(HttpServerRequest request, Consumer<String> loggedIn) {
            return Future.failedFuture(Routes.noSuchRoute(request));
        }

        @Override
        public Future<List<String>> listable(HttpServerRequest request, List<String> repositories) {
            return Future.succeededFuture(repositories);
        }
    };

    /**
     * Completes when the request may go on, with the name of the user its token was issued to (null when
     * anonymous); fails with {@code UNAUTHORIZED} (the response carrying the challenge) or {@code DENIED}.
     */
    Future<String> check(HttpServerRequest request, RegistryPath path);

    /**
     * Answers the token endpoint, {@code GET /v2/token}; {@code loggedIn} is given the user a token is issued to
     * before the token is sent (never for an anonymous token).
     */
    Future<Void> token(HttpServerRequest request, Consumer<String> loggedIn);

    /**
     * Of {@code repositories} (a page of the catalog, for a request {@link #check} let through), those the
     * caller may see listed, in their order.
     */
    Future<List<String>> listable(HttpServerRequest request, List<String> repositories);
}
