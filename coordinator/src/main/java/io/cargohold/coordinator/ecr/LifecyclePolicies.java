package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.FieldError;
import io.cargohold.coordinator.api.LifecycleApi;
import io.cargohold.coordinator.api.RepositoriesApi;
import io.cargohold.lifecycle.Evaluation;
import io.cargohold.lifecycle.Expiry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Lifecycle policies and their previews, on a repository's lifecycle policy ({@link RepositoriesApi}) and
 * Cargohold's preview ({@link LifecycleApi}). A preview is computed at once, so it is {@code COMPLETE} when
 * started; getting it evaluates the policy it was started with again, against the images as they are then.
 * Started previews are remembered by this process until it stops.
 */
final class LifecyclePolicies {

    private static final Function<String, String> FIELD = field -> field.startsWith("lifecyclePolicy")
            ? "lifecyclePolicyText" + field.substring("lifecyclePolicy".length())
            : RepositoriesAndImages.FIELD.apply(field);
    private static final String POLICY_NOT_FOUND = "LifecyclePolicyNotFoundException";

    private final RepositoriesApi repositories;
    private final LifecycleApi lifecycle;
    private final String registryId;
    /** The policy each started preview evaluates (empty: the repository's own), by repository. */
    private final Map<String, Optional<String>> previews = new ConcurrentHashMap<>();

    LifecyclePolicies(RepositoriesApi repositories, LifecycleApi lifecycle, String registryId) {
        this.repositories = repositories;
        this.lifecycle = lifecycle;
        this.registryId = registryId;
    }

    void register(Map<String, EcrOperation> operations) {
        EcrErrors errors = new EcrErrors(FIELD, LifecyclePolicies::notFound, EcrException.INVALID_PARAMETER,
                "repositoryName");
        operations.put("PutLifecyclePolicy", new EcrOperation(call -> repositories.putLifecyclePolicy(call.who(),
                call.required("repositoryName"), call.required("lifecyclePolicyText")).map(this::show), errors));
        operations.put("GetLifecyclePolicy", new EcrOperation(call ->
                repositories.lifecyclePolicy(call.required("repositoryName")).map(this::show), errors));
        operations.put("DeleteLifecyclePolicy", new EcrOperation(call -> repositories.deleteLifecyclePolicy(
                call.who(), call.required("repositoryName")).map(this::show), errors));
        operations.put("StartLifecyclePolicyPreview", new EcrOperation(this::startPreview, errors));
        operations.put("GetLifecyclePolicyPreview", new EcrOperation(this::getPreview, errors));
    }

    /** A missing repository is {@code RepositoryNotFoundException}, a missing policy the policy's shape. */
    private static String notFound(FieldError error) {
        return error.message().startsWith("no repository") ? EcrException.REPOSITORY_NOT_FOUND : POLICY_NOT_FOUND;
    }

    private JsonObject show(JsonObject policy) {
        return new JsonObject().put("registryId", registryId).put("repositoryName", policy.getString("repository"))
                .put("lifecyclePolicyText", policy.getJsonObject("lifecyclePolicy").encode());
    }

    private Future<JsonObject> startPreview(EcrCall call) {
        String repository = call.required("repositoryName");
        Optional<String> policy = Optional.ofNullable(call.string("lifecyclePolicyText"));
        return lifecycle.evaluate(repository, policy).compose(evaluation -> policyText(repository, policy))
                .map(text -> {
                    previews.put(repository, policy);
                    return new JsonObject().put("registryId", registryId).put("repositoryName", repository)
                            .put("lifecyclePolicyText", text).put("status", "COMPLETE");
                });
    }

    private Future<JsonObject> getPreview(EcrCall call) {
        String repository = call.required("repositoryName");
        Optional<String> policy = previews.get(repository);
        if (policy == null) {
            throw new EcrException("LifecyclePolicyPreviewNotFoundException", "repositoryName '" + repository
                    + "': no lifecycle policy preview was started for it (StartLifecyclePolicyPreview)");
        }
        return lifecycle.evaluate(repository, policy).compose(evaluation -> policyText(repository, policy)
                .map(text -> output(repository, text, evaluation)));
    }

    private Future<String> policyText(String repository, Optional<String> policy) {
        return policy.map(Future::succeededFuture).orElseGet(() -> repositories.lifecyclePolicy(repository)
                .map(found -> found.getJsonObject("lifecyclePolicy").encode()));
    }

    private JsonObject output(String repository, String policy, Evaluation evaluation) {
        List<Object> results = new ArrayList<>();
        for (Expiry expiry : evaluation.expired()) {
            results.add(new JsonObject().put("imageDigest", expiry.image().digest())
                    .put("imageTags", new JsonArray(expiry.image().tags()))
                    .put("imagePushedAt", EcrShapes.epochSeconds(expiry.image().cachedAt()))
                    .put("action", new JsonObject().put("type", "EXPIRE"))
                    .put("appliedRulePriority", expiry.rule().rulePriority()));
        }
        return new JsonObject().put("registryId", registryId).put("repositoryName", repository)
                .put("lifecyclePolicyText", policy).put("status", "COMPLETE")
                .put("previewResults", new JsonArray(results))
                .put("summary", new JsonObject().put("expiringImageTotalCount", results.size()));
    }
}
