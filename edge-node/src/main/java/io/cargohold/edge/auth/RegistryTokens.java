package io.cargohold.edge.auth;

import io.cargohold.policy.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Docker registry tokens: JWTs signed with HS256 under the cluster's one key, issued by the token endpoint and
 * verified on every registry request (signature, issuer and audience, expiry). Claims: {@code sub} (the user),
 * {@code access} (Docker's {@code [{type, name, actions}]}), and the principal's {@code account}, {@code org}
 * and {@code arn}; anonymous tokens carry none of the three.
 */
public final class RegistryTokens {

    static final String ALGORITHM = "HS256";
    static final String ANONYMOUS = "anonymous";
    private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final JWTAuth jwt;
    private final String service;
    private final Duration ttl;

    /** A verified token: who it was issued to and what it grants. */
    public record Grant(Principal principal, List<Scope> access) {

        public boolean covers(Scope needed) {
            return access.stream().anyMatch(scope -> scope.covers(needed));
        }
    }

    public RegistryTokens(Vertx vertx, String key, String service, Duration ttl) {
        this.service = service;
        this.ttl = ttl;
        this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(key))
                .setJWTOptions(new JWTOptions().setIssuer(service).setAudience(List.of(service))));
    }

    /**
     * The library skips time claims that are not numbers, so a token with {@code "exp": "tomorrow"} would never
     * expire: {@code exp} must be a number in the future, {@code nbf} and {@code iat}, when present, numbers.
     */
    private static void checkTimes(JsonObject claims) {
        long now = Instant.now().getEpochSecond();
        if (claims == null || !(claims.getValue("exp") instanceof Number exp)) {
            throw new IllegalArgumentException("the token has no numeric expiry (exp)");
        }
        if (exp.longValue() <= now) {
            throw new IllegalArgumentException("the token expired");
        }
        for (String name : new String[] {"nbf", "iat"}) {
            Object value = claims.getValue(name);
            if (value != null && !(value instanceof Number)) {
                throw new IllegalArgumentException("claim " + name + " must be a number");
            }
        }
        if (claims.getValue("nbf") instanceof Number notBefore && notBefore.longValue() > now) {
            throw new IllegalArgumentException("the token is not valid yet");
        }
    }

    /** A string claim, or null when absent; any other type fails the token. */
    private static String text(JsonObject claims, String name) {
        Object value = claims.getValue(name);
        if (value != null && !(value instanceof String)) {
            throw new IllegalArgumentException("claim " + name + " must be a string");
        }
        return (String) value;
    }

    /**
     * Exactly three segments, each canonical unpadded base64url: the JWT parser accepts trailing segments and
     * spare bits, so variants of a valid token would pass as the same token.
     */
    private static boolean isCompact(String token) {
        if (!COMPACT.matcher(token).matches()) {
            return false;
        }
        for (String segment : token.split("\\.")) {
            try {
                if (!BASE64URL.encodeToString(Base64.getUrlDecoder().decode(segment)).equals(segment)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /** Docker's token response: {@code token}, {@code access_token}, {@code expires_in}, {@code issued_at}. */
    public JsonObject issue(String subject, Principal principal, List<Scope> access) {
        JsonObject claims = new JsonObject().put("access", new JsonArray(access.stream().map(Scope::toJson).toList()));
        if (!principal.isAnonymous()) {
            claims.put("account", principal.account()).put("arn", principal.arn());
            if (principal.orgId() != null) {
                claims.put("org", principal.orgId());
            }
        }
        Instant issuedAt = Instant.now();
        String token = jwt.generateToken(claims, new JWTOptions().setAlgorithm(ALGORITHM)
                .setExpiresInSeconds((int) ttl.toSeconds()).setIssuer(service).setAudience(List.of(service))
                .setSubject(subject));
        return new JsonObject().put("token", token).put("access_token", token).put("expires_in", ttl.toSeconds())
                .put("issued_at", issuedAt.toString());
    }

    /** Fails with the reason when the token is malformed, forged, expired or not for this service. */
    public Future<Grant> verify(String token) {
        if (!isCompact(token)) {
            return Future.failedFuture(new IllegalArgumentException(
                    "not a JWT: three base64url segments (header.claims.signature) expected"));
        }
        Future<User> verified;
        try {
            verified = jwt.authenticate(new TokenCredentials(token));
        } catch (RuntimeException e) {
            // The library throws, rather than fails, on some malformed claims ("exp": "tomorrow").
            return Future.failedFuture(new IllegalArgumentException("malformed claims: " + e.getMessage(), e));
        }
        return verified.map(user -> {
            JsonObject claims = user.attributes().getJsonObject("accessToken");
            checkTimes(claims);
            List<Scope> access = claims.getJsonArray("access").stream()
                    .map(entry -> Scope.fromJson((JsonObject) entry)).toList();
            String account = text(claims, "account");
            Principal principal = account == null ? Principal.anonymous()
                    : new Principal(account, text(claims, "org"), text(claims, "arn"), Map.of());
            return new Grant(principal, access);
        });
    }
}
