package io.cargohold.upstream.http;

import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.Credentials;
import io.cargohold.spi.CredentialsProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code WWW-Authenticate} flow of one upstream (jib {@code RegistryAuthenticator}): it
 * remembers the upstream's challenge, answers Basic challenges with the credentials and Bearer
 * challenges with a token from the realm ({@code ?service=..&scope=repository:<repo>:pull}, basic
 * credentials when there are any). Tokens are cached per scope until {@code expires_in} (60 s when
 * absent) less a margin; concurrent requests for one scope share one token request.
 */
final class RegistryAuthenticator {

    static final long DEFAULT_EXPIRES_IN_SECONDS = 60;
    static final long MAX_MARGIN_SECONDS = 10;
    private static final long MAX_TOKEN_RESPONSE = 1 << 20;

    private final HttpClient client;
    private final CredentialsProvider credentials;
    private final UpstreamTimeouts timeouts;
    private final Map<String, Future<BearerToken>> tokens = new ConcurrentHashMap<>();
    private volatile AuthChallenge challenge;

    RegistryAuthenticator(HttpClient client, CredentialsProvider credentials, UpstreamTimeouts timeouts) {
        this.client = client;
        this.credentials = credentials;
        this.timeouts = timeouts;
    }

    /**
     * The Authorization header to send for {@code scope} before any challenge of this request,
     * from what earlier challenges taught; null when the upstream has not asked for any yet.
     */
    Future<String> authorization(String scope, String action) {
        AuthChallenge known = challenge;
        if (known == null) {
            return Future.succeededFuture(null);
        }
        if (known.isBasic()) {
            return credentials.credentials().map(c -> c.map(RegistryAuthenticator::basic).orElse(null));
        }
        return token(known, scope, action).map(BearerToken::authorization);
    }

    /**
     * After a 401: learns the challenge and returns the Authorization header for a retry, or null
     * when there is nothing to retry with (a Basic challenge and no credentials). When the rejected
     * request carried credentials or a token, they are dropped first so fresh ones are read.
     */
    Future<String> onUnauthorized(String scope, List<String> wwwAuthenticate, boolean rejectedAuthorization,
                                  String action) {
        List<AuthChallenge> challenges = AuthChallenge.parseAll(wwwAuthenticate);
        Optional<AuthChallenge> chosen = challenges.stream().filter(AuthChallenge::isBearer).findFirst()
                .or(() -> challenges.stream().filter(AuthChallenge::isBasic).findFirst());
        if (chosen.isEmpty()) {
            return Future.failedFuture(UpstreamFailures.unavailable(action,
                    "401 UNAUTHORIZED with no supported challenge (WWW-Authenticate: " + wwwAuthenticate + ")", 401, null));
        }
        if (chosen.get().isBearer() && chosen.get().param("realm") == null) {
            return Future.failedFuture(UpstreamFailures.unavailable(action,
                    "401 UNAUTHORIZED with a Bearer challenge without realm", 401, null));
        }
        challenge = chosen.get();
        if (rejectedAuthorization) {
            invalidate(scope);
        }
        return authorization(scope, action);
    }

    /** Forgets the token of {@code scope} and the provider's cached credentials. */
    void invalidate(String scope) {
        tokens.remove(scope);
        credentials.invalidate();
    }

    private Future<BearerToken> token(AuthChallenge bearer, String scope, String action) {
        long now = System.nanoTime();
        Future<BearerToken>[] created = new Future[1];
        Future<BearerToken> token = tokens.compute(scope, (key, existing) -> {
            if (existing != null && !existing.failed()
                    && (!existing.isComplete() || existing.result().isValid(now))) {
                return existing;
            }
            created[0] = fetchWithRetry(bearer, scope, action);
            return created[0];
        });
        if (created[0] != null) {
            created[0].onFailure(e -> tokens.remove(scope, created[0]));
        }
        return token;
    }

    /** Asks the realm for a token; when it rejects the credentials, re-reads them once and asks again. */
    private Future<BearerToken> fetchWithRetry(AuthChallenge bearer, String scope, String action) {
        return credentials.credentials().compose(creds -> fetch(bearer, scope, creds, action)
                .recover(failure -> {
                    if (creds.isPresent() && failure instanceof UpstreamException e
                            && (e.upstreamStatus() == 401 || e.upstreamStatus() == 403)) {
                        credentials.invalidate();
                        return credentials.credentials().compose(fresh -> fetch(bearer, scope, fresh, action));
                    }
                    return Future.failedFuture(failure);
                }));
    }

    private Future<BearerToken> fetch(AuthChallenge bearer, String scope, Optional<Credentials> creds, String action) {
        String realm = bearer.param("realm");
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        String service = bearer.param("service");
        if (service != null) {
            url.append("service=").append(encode(service)).append('&');
        }
        url.append("scope=").append(encode(scope));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setFollowRedirects(false) // never hand the credentials to wherever a redirect points
                .setConnectTimeout(timeouts.connect().toMillis())
                .setIdleTimeout(timeouts.idle().toMillis())
                .putHeader("Accept", "application/json")
                .putHeader("User-Agent", UserAgent.VALUE);
        creds.ifPresent(c -> options.putHeader("Authorization", basic(c)));
        String what = action + ": token request to " + realm;
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> readSmall(response).compose(body -> {
                    int status = response.statusCode();
                    if (status == 401 || status == 403) {
                        return Future.failedFuture(UpstreamFailures.unavailable(action, "token request to " + realm
                                + " answered " + status + (creds.isPresent()
                                ? " (the upstream rejected the cache's credentials)"
                                : " (the upstream needs credentials and none are configured)"), status, null));
                    }
                    if (status / 100 != 2) {
                        return Future.failedFuture(UpstreamFailures.unavailable(action, "token request to " + realm
                                + " answered " + status, status, null));
                    }
                    return Future.succeededFuture(parseToken(body, action, realm));
                }))
                .recover(failure -> Future.failedFuture(UpstreamFailures.fromThrowable(what, failure, timeouts.idle())));
    }

    private static BearerToken parseToken(Buffer body, String action, String realm) {
        JsonObject json;
        try {
            json = new JsonObject(body);
        } catch (RuntimeException e) {
            throw UpstreamFailures.unavailable(action, "token request to " + realm + " answered no JSON", 200, e);
        }
        String value = json.getString("token");
        if (value == null || value.isEmpty()) {
            value = json.getString("access_token");
        }
        if (value == null || value.isEmpty()) {
            throw UpstreamFailures.unavailable(action, "token request to " + realm + " answered no token", 200, null);
        }
        long expiresIn = DEFAULT_EXPIRES_IN_SECONDS;
        Object declared = json.getValue("expires_in");
        if (declared instanceof Number n && n.longValue() > 0) {
            expiresIn = n.longValue();
        }
        long margin = Math.min(MAX_MARGIN_SECONDS, expiresIn / 2);
        return new BearerToken(value, System.nanoTime() + TimeUnit.SECONDS.toNanos(expiresIn - margin));
    }

    /** Reads a small body (a token answer), refusing more than 1 MiB. */
    private static Future<Buffer> readSmall(HttpClientResponse response) {
        Promise<Buffer> promise = Promise.promise();
        Buffer body = Buffer.buffer();
        response.exceptionHandler(promise::tryFail);
        response.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_TOKEN_RESPONSE) {
                promise.tryFail(new IllegalStateException("token answer larger than " + MAX_TOKEN_RESPONSE + " bytes"));
                response.request().reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.endHandler(v -> promise.tryComplete(body));
        return promise.future();
    }

    static String basic(Credentials credentials) {
        String pair = credentials.username() + ":" + credentials.password();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
