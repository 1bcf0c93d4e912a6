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

import java.nio.charset.StandardCharsets;
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

    private static final String NOT_VERIFIED = "signature, issuer or audience not valid";

    private final JWTAuth jwt;
    private final String service;
    private final Duration ttl;

    /**
     * A verified token: who it was issued to ({@code user}: the name the client logged in with, null for an
     * anonymous token) and what it grants.
     */
    public record Grant(String user, Principal principal, List<Scope> access) {

        /** An anonymous pull without a token ({@code auth.anonymousPull}). */
        public static final Grant ANONYMOUS = new Grant(null, Principal.anonymous(), List.of());

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
     * Checked on the claims before the library sees them: it skips time claims that are not numbers (so a
     * token with {@code "exp": "tomorrow"} would never expire), throws class-cast errors on others, and reports
     * a token not valid yet as expired. Every message is fixed text, never an exception's.
     */
    private static void checkTimes(JsonObject claims) {
        long now = Instant.now().getEpochSecond();
        Object exp = claims.getValue("exp");
        if (exp == null) {
            throw new InvalidTokenException("exp is missing");
        }
        for (String name : new String[] {"exp", "nbf", "iat"}) {
            Object value = claims.getValue(name);
            if (value != null && !(value instanceof Number)) {
                throw new InvalidTokenException(name + " must be a number");
            }
        }
        if (((Number) exp).longValue() <= now) {
            throw new InvalidTokenException("token expired");
        }
        if (claims.getValue("nbf") instanceof Number notBefore && notBefore.longValue() > now) {
            throw new InvalidTokenException("token not valid yet");
        }
    }

    /** The claims segment of a compact token, read without checking anything. */
    private static JsonObject unverifiedClaims(String token) {
        try {
            String json = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
            return new JsonObject(json);
        } catch (RuntimeException notAnObject) {
            // reported below
        }
        throw new InvalidTokenException("the claims are not a JSON object");
    }

    /** A string claim, or null when absent; any other type fails the token. */
    private static String text(JsonObject claims, String name) {
        Object value = claims.getValue(name);
        if (value != null && !(value instanceof String)) {
            throw new InvalidTokenException("claim " + name + " must be a string");
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

    /**
     * Fails with an {@link InvalidTokenException} saying why when the token is malformed, forged, expired, not
     * valid yet or not for this service.
     */
    public Future<Grant> verify(String token) {
        if (!isCompact(token)) {
            return Future.failedFuture(new InvalidTokenException(
                    "not a JWT: three base64url segments (header.claims.signature) expected"));
        }
        Future<User> verified;
        try {
            checkTimes(unverifiedClaims(token));
            verified = jwt.authenticate(new TokenCredentials(token));
        } catch (InvalidTokenException e) {
            return Future.failedFuture(e);
        } catch (RuntimeException e) {
            // The library throws, rather than fails, on some malformed tokens.
            return Future.failedFuture(new InvalidTokenException(NOT_VERIFIED));
        }
        return verified.recover(e -> Future.failedFuture(new InvalidTokenException(NOT_VERIFIED))).map(user -> {
            JsonObject claims = user.attributes().getJsonObject("accessToken");
            List<Scope> access;
            try {
                access = claims.getJsonArray("access").stream().map(entry -> Scope.fromJson((JsonObject) entry))
                        .toList();
            } catch (RuntimeException e) {
                throw new InvalidTokenException("access must be a list of {type, name, actions}");
            }
            String account = text(claims, "account");
            Principal principal = account == null ? Principal.anonymous()
                    : new Principal(account, text(claims, "org"), text(claims, "arn"), Map.of());
            return new Grant(principal.isAnonymous() ? null : claims.getString("sub"), principal, access);
        });
    }

    /** Why a token was refused, in fixed words: never an exception's text, which could echo the token's content. */
    public static final class InvalidTokenException extends RuntimeException {

        InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
