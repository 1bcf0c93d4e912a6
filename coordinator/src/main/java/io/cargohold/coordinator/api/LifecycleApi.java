package io.cargohold.coordinator.api;

import io.cargohold.lifecycle.CachedImage;
import io.cargohold.lifecycle.Evaluation;
import io.cargohold.lifecycle.Expiry;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.lifecycle.LifecyclePreview;
import io.cargohold.lifecycle.RuleOutcome;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The lifecycle routes of the control API, mounted under {@code /api/v1}:
 * <ul>
 *   <li>{@code POST /lifecycle/preview} {@code {"repository": ..., "lifecyclePolicy": ...}}: what each rule of
 *   {@code lifecyclePolicy} (a JSON object or its text; absent: the repository's own policy) would expire
 *   now and why, changing nothing (ECR's lifecycle policy preview); a pinned image a rule would expire is under
 *   the rule's {@code kept} with the reason {@code pinned};</li>
 *   <li>{@code POST /lifecycle/run}: asks the lifecycle leader, wherever it runs, to run now ({@code 202};
 *   what it deletes shows in metrics and {@code image-expired} events).</li>
 * </ul>
 */
public final class LifecycleApi {

    /** Why an image a rule selects to expire is kept: a pin keeps it. */
    static final String PINNED = "pinned";

    private final LifecyclePreview preview;
    private final Runnable requestRun;

    public LifecycleApi(LifecyclePreview preview, Runnable requestRun) {
        this.preview = preview;
        this.requestRun = requestRun;
    }

    /** Adds the routes to {@code api}, a router under {@code /api/v1} that parses bodies and answers failures. */
    public void mount(Router api) {
        api.post("/lifecycle/preview").handler(this::preview);
        api.post("/lifecycle/run").handler(this::run);
    }

    private void preview(RoutingContext ctx) {
        JsonObject body = ApiResponses.body(ctx);
        String repository = body.getString("repository");
        if (repository == null || repository.isBlank()) {
            throw ApiException.invalid("repository", repository, "is required");
        }
        Object policy = body.getValue("lifecyclePolicy");
        if (policy != null && !(policy instanceof String) && !(policy instanceof JsonObject)) {
            throw ApiException.invalid("lifecyclePolicy", policy, "must be a JSON object or its text");
        }
        Optional<String> text = Optional.ofNullable(policy).map(p -> p instanceof JsonObject o ? o.encode() : (String) p);
        ApiResponses.reply(ctx, 200, evaluate(repository, text).map(evaluation -> toJson(repository, evaluation)));
    }

    /**
     * What {@code policy} (empty: the repository's own) would expire now; a 400 naming the policy's field at
     * fault, a 404 for a repository that does not exist or has no policy.
     */
    public Future<Evaluation> evaluate(String repository, Optional<String> policy) {
        return preview.preview(repository, policy)
                .recover(failure -> Future.failedFuture(apiFailure(repository, policy, failure)));
    }

    private void run(RoutingContext ctx) {
        requestRun.run();
        ApiResponses.reply(ctx, 202, Future.succeededFuture(new JsonObject().put("requested", true)));
    }

    private static Throwable apiFailure(String repository, Optional<String> policy, Throwable failure) {
        if (failure instanceof LifecyclePolicyException invalid) {
            return ApiException.invalid("lifecyclePolicy" + invalid.field().map(field -> "." + field).orElse(""),
                    policy.orElse(null), invalid.ecrMessage());
        }
        if (failure instanceof RegistryException unknown && unknown.code() == OciErrorCode.NAME_UNKNOWN) {
            return ApiException.notFound("repository", repository, "no repository '" + repository + "'");
        }
        if (failure instanceof NoSuchElementException none) {
            return ApiException.notFound("lifecyclePolicy", null, none.getMessage());
        }
        return failure;
    }

    static JsonObject toJson(String repository, Evaluation evaluation) {
        JsonArray rules = new JsonArray();
        for (RuleOutcome outcome : evaluation.rules()) {
            JsonArray expired = new JsonArray();
            for (Expiry expiry : outcome.expired()) {
                expired.add(image(expiry.image()).put("reason", expiry.reason()));
            }
            JsonArray kept = new JsonArray();
            evaluation.pinned().stream().filter(pinned -> pinned.rule() == outcome.rule())
                    .forEach(pinned -> kept.add(image(pinned.image()).put("reason", PINNED)));
            JsonArray spared = new JsonArray();
            outcome.spared().forEach(image -> spared.add(image(image.image())
                    .put("selectedByRulePriority", image.selectedByRulePriority())));
            rules.add(new JsonObject()
                    .put("rulePriority", outcome.rule().rulePriority())
                    .put("description", outcome.rule().description().orElse(null))
                    .put("rule", outcome.rule().label())
                    .put("selected", new JsonArray(outcome.selected().stream().map(CachedImage::digest).toList()))
                    .put("expired", expired)
                    .put("kept", kept)
                    .put("spared", spared));
        }
        return new JsonObject()
                .put("repository", repository)
                .put("evaluatedAt", evaluation.now().toString())
                .put("rules", rules)
                .put("retained", new JsonArray(evaluation.retained().stream().map(CachedImage::digest).toList()))
                .put("pinned", new JsonArray(evaluation.pinned().stream().map(pinned -> pinned.image().digest())
                        .toList()));
    }

    private static JsonObject image(CachedImage image) {
        return new JsonObject()
                .put("digest", image.digest())
                .put("tags", new JsonArray(image.tags()))
                .put("cachedAt", image.cachedAt().toString())
                .put("lastPulledAt", image.lastPulledAt().map(Object::toString).orElse(null));
    }
}
