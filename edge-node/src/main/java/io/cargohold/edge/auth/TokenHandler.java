package io.cargohold.edge.auth;

import io.cargohold.auth.ApiTokens;
import io.cargohold.auth.BasicCredentials;
import io.cargohold.auth.Users;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.policy.Principal;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The realm of the registry's challenge, in both of Docker's token flows: {@code GET /v2/token?service=...&scope=...}
 * with HTTP basic credentials (or none where anonymous pulls are allowed), and the OAuth2 password grant,
 * {@code POST /v2/token} with a form of {@code grant_type=password}, {@code username}, {@code password},
 * {@code client_id} and {@code scope}, which containerd tries first. Credentials are a configured user's
 * password or an API token ({@link ApiTokens}). The token carries the requested scopes that a cache can grant
 * (pull, the catalog); whether the principal may pull is decided per request by the policies, so a denial says
 * which action and statement. No refresh tokens are issued.
 */
public final class TokenHandler {

    private static final String PASSWORD_GRANT = "password";

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

    /** Answers a token request; {@code loggedIn} is given the user a token is issued to, before it is sent. */
    public Future<Void> handle(HttpServerRequest request, Consumer<String> loggedIn) {
        if (request.method() == HttpMethod.POST) {
            request.setExpectMultipart(true);
            return request.end().compose(v -> passwordGrant(request, request.formAttributes(), loggedIn));
        }
        List<Scope> granted = granted(request.params().getAll("scope"));
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
        return issue(request, credentials.get().name(), credentials.get().password(), granted, loggedIn);
    }

    private Future<Void> passwordGrant(HttpServerRequest request, MultiMap form, Consumer<String> loggedIn) {
        String grantType = form.get("grant_type");
        if (!PASSWORD_GRANT.equals(grantType)) {
            return Future.failedFuture(badForm(grantType == null
                    ? "grant_type is missing: a form (application/x-www-form-urlencoded) with grant_type=password expected"
                    : "grant_type " + grantType + " is not supported: only password (no refresh tokens are issued)"));
        }
        for (String field : List.of("client_id", "username", "password")) {
            if (form.get(field) == null || form.get(field).isEmpty()) {
                return Future.failedFuture(badForm(field + " is missing from the password grant"));
            }
        }
        return issue(request, form.get("username"), form.get("password"), granted(form.getAll("scope")), loggedIn);
    }

    private Future<Void> issue(HttpServerRequest request, String name, String password, List<Scope> granted,
                               Consumer<String> loggedIn) {
        Future<Optional<Principal>> principal = ApiTokens.isToken(password) ? apiTokens.authenticate(password)
                : vertx.executeBlocking(() -> users.authenticate(name, password), false);
        return principal.compose(found -> {
            if (found.isEmpty()) {
                return fail(request, "invalid user name or password");
            }
            loggedIn.accept(name);
            return respond(request, tokens.issue(name, found.get(), granted).encode());
        });
    }

    /** The grantable scopes among space-separated {@code values}; fails on a malformed one. */
    private static List<Scope> granted(List<String> values) {
        return values.stream()
                .flatMap(value -> List.of(value.split(" ")).stream())
                .filter(value -> !value.isEmpty())
                .map(Scope::parse)
                .map(Scope::granted)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
    }

    private static RegistryException badForm(String message) {
        return new RegistryException(OciErrorCode.UNSUPPORTED, message, null, 400, null);
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
