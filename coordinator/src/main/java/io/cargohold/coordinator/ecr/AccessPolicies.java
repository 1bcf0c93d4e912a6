package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.FieldError;
import io.cargohold.coordinator.api.PolicyApi;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.function.Function;

/** The registry's policy and repositories' policies, on Cargohold's ({@link PolicyApi}). */
final class AccessPolicies {

    private static final Function<String, String> FIELD = field -> switch (field) {
        case "name" -> "repositoryName";
        case "policy", "body" -> "policyText";
        default -> "policyText." + field;
    };

    private final PolicyApi policies;
    private final String registryId;

    AccessPolicies(PolicyApi policies, String registryId) {
        this.policies = policies;
        this.registryId = registryId;
    }

    void register(Map<String, EcrOperation> operations) {
        EcrErrors repository = new EcrErrors(FIELD, AccessPolicies::repositoryNotFound,
                EcrException.INVALID_PARAMETER, "repositoryName");
        operations.put("SetRepositoryPolicy", new EcrOperation(call -> policies.putRepositoryPolicy(call.who(),
                call.required("repositoryName"), call.required("policyText")).map(this::repositoryPolicy), repository));
        operations.put("GetRepositoryPolicy", new EcrOperation(call ->
                policies.getRepositoryPolicy(call.required("repositoryName")).map(this::repositoryPolicy), repository));
        operations.put("DeleteRepositoryPolicy", new EcrOperation(call -> policies.deleteRepositoryPolicy(call.who(),
                call.required("repositoryName")).map(this::repositoryPolicy), repository));
        EcrErrors registry = EcrErrors.of(FIELD, "RegistryPolicyNotFoundException", EcrException.INVALID_PARAMETER,
                "registry");
        operations.put("PutRegistryPolicy", new EcrOperation(call -> policies.putRegistryPolicy(call.who(),
                call.required("policyText")).map(this::registryPolicy), registry));
        operations.put("GetRegistryPolicy", new EcrOperation(call ->
                policies.getRegistryPolicy().map(this::registryPolicy), registry));
        operations.put("DeleteRegistryPolicy", new EcrOperation(call ->
                policies.deleteRegistryPolicy(call.who()).map(this::registryPolicy), registry));
    }

    private static String repositoryNotFound(FieldError error) {
        return error.message().startsWith("no such repository") ? EcrException.REPOSITORY_NOT_FOUND
                : "RepositoryPolicyNotFoundException";
    }

    private JsonObject repositoryPolicy(JsonObject policy) {
        return new JsonObject().put("registryId", registryId).put("repositoryName", policy.getString("repository"))
                .put("policyText", policy.getJsonObject("policy").encode());
    }

    private JsonObject registryPolicy(JsonObject policy) {
        return new JsonObject().put("registryId", registryId).put("policyText", policy.getJsonObject("policy").encode());
    }
}
