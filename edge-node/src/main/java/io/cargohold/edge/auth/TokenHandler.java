package io.cargohold.edge.auth;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.policy.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /v2/token?service=...&scope=...}, the realm of the registry's challenge (Docker's token
 * authentication): HTTP basic credentials of a configured user, or an API token as the password
 * ({@link ApiTokens}), or none where anonymous pulls are allowed, get a token for the requested scopes that a
 * cache can grant (pull, the catalog). Whether the principal may pull is decided per request by the policies, so
 * a denial says which action and statement.
 */
public final class TokenHandler {

    private final Vertx vertx;
    private final Users users;
    private final ApiTokens apiTokens;
    private final RegistryTokens tokens;
    private final boolean anonymousPull;

    public TokenHandler(Vertx vertx, Users users, ApiTokens apiTokens, RegistryTokens tokens, boolean anonymousPull) {
        this.vertx = vertx;
        this.users = users;
        this.apiTokens = apiTokens;
        this.tokens = tokens;
        this.anonymousPull = anonymousPull;
    }

    public Future<Void> handle(HttpServerRequest request) {
        List<Scope> granted = request.params().getAll("scope").stream()
                .flatMap(value -> List.of(value.split(" ")).stream())
                .filter(value -> !value.isEmpty())
                .map(Scope::parse)
                .map(Scope::granted)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null) {
            if (!anonymousPull) {
                return fail(request, "credentials required: HTTP basic authentication of a configured user");
            }
            return respond(request, tokens.issue(RegistryTokens.ANONYMOUS, Principal.anonymous(), granted).encode());
        }
        Optional<BasicCredentials> credentials = BasicCredentials.parse(authorization);
        if (credentials.isEmpty()) {
            return fail(request, "the Authorization header must be HTTP basic credentials");
        }
        String name = credentials.get().name();
        String password = credentials.get().password();
        Future<Optional<Principal>> principal = ApiTokens.isToken(password) ? apiTokens.authenticate(password)
                : vertx.executeBlocking(() -> users.authenticate(name, password), false);
        return principal.compose(found -> found.isEmpty() ? fail(request, "invalid user name or password")
                : respond(request, tokens.issue(name, found.get(), granted).encode()));
    }

    private static Future<Void> respond(HttpServerRequest request, String body) {
        return request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body);
    }

    private static <T> Future<T> fail(HttpServerRequest request, String message) {
        request.response().putHeader(PolicyAccessControl.WWW_AUTHENTICATE, "Basic realm=\"cargohold\"");
        return Future.failedFuture(new RegistryException(OciErrorCode.UNAUTHORIZED, message, null));
    }
}
