package io.cargohold.coordinator.ecr;

import io.cargohold.auth.ApiTokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry-wide operations: {@code GetAuthorizationToken}, an API token ({@link ApiTokens}) of the caller that
 * expires after {@link #TOKEN_LIFETIME}, as ECR's do, given as {@code base64("AWS:<token>")} (the registry takes it
 * as the password of any user name); and {@code DescribeRegistry}.
 */
final class RegistryOperations {

    static final Duration TOKEN_LIFETIME = Duration.ofHours(12);

    private final ApiTokens tokens;
    private final String registryId;
    private final String proxyEndpoint;

    /** {@code proxyEndpoint}: the registry API's URL, where clients log in with the token. */
    RegistryOperations(ApiTokens tokens, String registryId, String proxyEndpoint) {
        this.tokens = tokens;
        this.registryId = registryId;
        this.proxyEndpoint = proxyEndpoint;
    }

    void register(Map<String, EcrOperation> operations) {
        EcrErrors errors = EcrErrors.of(Function.identity(), EcrException.INVALID_PARAMETER,
                EcrException.INVALID_PARAMETER, "registryIds");
        operations.put("GetAuthorizationToken", new EcrOperation(this::authorizationToken, errors));
        operations.put("DescribeRegistry", new EcrOperation(call -> Future.succeededFuture(new JsonObject()
                .put("registryId", registryId)
                .put("replicationConfiguration", new JsonObject().put("rules", new JsonArray()))), errors));
    }

    private Future<JsonObject> authorizationToken(EcrCall call) {
        Instant expiresAt = call.now().plus(TOKEN_LIFETIME);
        String account = call.principal().account() == null ? registryId : call.principal().account();
        return tokens.create(call.who(), account, call.principal().orgId(), expiresAt).map(created -> {
            String token = Base64.getEncoder().encodeToString(("AWS:" + created.token())
                    .getBytes(StandardCharsets.UTF_8));
            return new JsonObject().put("authorizationData", new JsonArray().add(new JsonObject()
                    .put("authorizationToken", token)
                    .put("expiresAt", EcrShapes.epochSeconds(expiresAt))
                    .put("proxyEndpoint", proxyEndpoint)));
        });
    }
}
