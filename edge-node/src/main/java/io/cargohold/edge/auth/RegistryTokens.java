package io.cargohold.edge.auth;

import io.cargohold.policy.Principal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Docker registry tokens: JWTs signed with HS256 under the cluster's one key, issued by the token endpoint and
 * verified on every registry request (signature, issuer and audience, expiry). Claims: {@code sub} (the user),
 * {@code access} (Docker's {@code [{type, name, actions}]}), and the principal's {@code account}, {@code org}
 * and {@code arn}; anonymous tokens carry none of the three.
 */
public final class RegistryTokens {

    static final String ALGORITHM = "HS256";
    static final String ANONYMOUS = "anonymous";

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
        return jwt.authenticate(new TokenCredentials(token)).map(user -> {
            JsonObject claims = user.attributes().getJsonObject("accessToken");
            if (claims == null || claims.getValue("exp") == null) {
                throw new IllegalArgumentException("the token has no expiry");
            }
            List<Scope> access = claims.getJsonArray("access").stream()
                    .map(entry -> Scope.fromJson((JsonObject) entry)).toList();
            String account = claims.getString("account");
            Principal principal = account == null ? Principal.anonymous()
                    : new Principal(account, claims.getString("org"), claims.getString("arn"), Map.of());
            return new Grant(principal, access);
        });
    }
}
