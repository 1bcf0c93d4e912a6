package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigException;
import io.cargohold.config.UpstreamTls;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.spi.Credentials;
import io.cargohold.upstream.http.AuthChallenge;
import io.cargohold.upstream.http.UpstreamTrust;
import io.cargohold.upstream.http.UserAgent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks a rule the way a pull would use it, reporting each step: its credentials can be read,
 * the upstream answers {@code GET /v2/} (trusted as the rule's {@code tls} over the default
 * {@code upstreamTls} says), and it accepts the credentials (HTTP Basic, or a token from the realm
 * of a Bearer challenge).
 */
final class UpstreamProbe {

    private static final long TIMEOUT_MILLIS = 10_000;

    private final Vertx vertx;
    private final UpstreamTls defaultTls;

    UpstreamProbe(Vertx vertx, UpstreamTls defaultTls) {
        this.vertx = vertx;
        this.defaultTls = defaultTls;
    }

    /** Never fails: {@code {"prefix","valid","checks":[{"check","ok","message"}]}}. */
    Future<JsonObject> check(CacheRule rule) {
        JsonArray checks = new JsonArray();
        return credentials(rule, checks)
                .compose(credentials -> credentials == null ? Future.succeededFuture()
                        : authenticate(rule, credentials.orElse(null), checks))
                .map(v -> new JsonObject().put("prefix", rule.prefix())
                        .put("valid", checks.stream().allMatch(check -> ((JsonObject) check).getBoolean("ok")))
                        .put("checks", checks));
    }

    /** The rule's credentials (empty: anonymous), or null when they cannot be read. */
    private Future<Optional<Credentials>> credentials(CacheRule rule, JsonArray checks) {
        if (rule.credentials() == null) {
            checks.add(result("credentials", true, "none configured: anonymous pulls"));
            return Future.succeededFuture(Optional.empty());
        }
        CachingCredentialsProvider provider;
        try {
            provider = RuleCredentials.provider(vertx, rule, null, Clock.systemUTC());
        } catch (RuntimeException e) {
            checks.add(result("credentials", false, "'" + rule.credentials() + "' cannot be used: " + e.getMessage()));
            return Future.succeededFuture(null);
        }
        return provider.validate("credentials").compose(check -> {
            checks.add(result("credentials", check.readable(), check.message()));
            return check.readable() ? provider.credentials() : Future.<Optional<Credentials>>succeededFuture(null);
        }).eventually(() -> vertx.executeBlocking(() -> {
            provider.close();
            return null;
        }));
    }

    private Future<Void> authenticate(CacheRule rule, Credentials credentials, JsonArray checks) {
        String url = rule.upstreamUrl().replaceAll("/$", "") + "/v2/";
        HttpClient http;
        try {
            http = vertx.createHttpClient(UpstreamTrust.load("tls", rule.tls().over(defaultTls))
                    .applyTo(new HttpClientOptions()));
        } catch (ConfigException unusable) {
            checks.add(result("upstream", false, unusable.getMessage()));
            return Future.succeededFuture();
        }
        return authenticate(http, url, credentials, checks).eventually(http::close);
    }

    private Future<Void> authenticate(HttpClient http, String url, Credentials credentials, JsonArray checks) {
        return get(http, url, null).compose(response -> {
            checks.add(result("upstream", true, "GET " + url + " answered " + response.statusCode()));
            if (response.statusCode() == 200) {
                checks.add(result("authentication", true, credentials == null ? "not needed"
                        : "not asked for: the upstream answers anonymously"));
                return Future.succeededFuture();
            }
            if (response.statusCode() != 401) {
                checks.add(result("authentication", false, "GET " + url + " answered " + response.statusCode()
                        + " instead of 200 or 401: not a registry API?"));
                return Future.succeededFuture();
            }
            Optional<AuthChallenge> challenge = AuthChallenge.parseAll(response.headers().getAll("WWW-Authenticate"))
                    .stream().filter(c -> c.isBasic() || c.isBearer()).findFirst();
            if (challenge.isEmpty()) {
                checks.add(result("authentication", false, "the upstream asks for an unsupported scheme: "
                        + response.getHeader("WWW-Authenticate")));
                return Future.succeededFuture();
            }
            if (challenge.get().isBasic() && credentials == null) {
                checks.add(result("authentication", false, "the upstream needs credentials and none are configured"));
                return Future.succeededFuture();
            }
            String target = challenge.get().isBasic() ? url : tokenUrl(challenge.get());
            return get(http, target, credentials).map(answer -> {
                boolean ok = answer.statusCode() == 200;
                checks.add(result("authentication", ok, (challenge.get().isBasic() ? "Basic" : "Bearer token from "
                        + challenge.get().param("realm")) + (ok ? ": accepted" : ": rejected with "
                        + answer.statusCode() + (credentials == null ? " (no credentials configured)" : ""))));
                return null;
            });
        }, failure -> {
            checks.add(result("upstream", false, "GET " + url + " failed: " + UpstreamTrust.handshakeFailure(failure)
                    .map(tls -> "TLS: " + tls).orElse(failure.getMessage())));
            return Future.succeededFuture();
        });
    }

    private static String tokenUrl(AuthChallenge bearer) {
        String realm = bearer.param("realm");
        String service = bearer.param("service");
        return service == null ? realm : realm + (realm.contains("?") ? "&" : "?") + "service="
                + URLEncoder.encode(service, StandardCharsets.UTF_8);
    }

    private static Future<HttpClientResponse> get(HttpClient http, String url, Credentials credentials) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setTimeout(TIMEOUT_MILLIS).putHeader("User-Agent", UserAgent.VALUE);
        if (credentials != null) {
            options.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
        }
        return http.request(options).compose(request -> request.send()
                .compose(response -> response.body().map(body -> response)));
    }

    private static JsonObject result(String check, boolean ok, String message) {
        return new JsonObject().put("check", check).put("ok", ok).put("message", message);
    }
}
