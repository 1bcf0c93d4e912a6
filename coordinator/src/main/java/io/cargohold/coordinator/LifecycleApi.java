package io.cargohold.coordinator;

import io.cargohold.lifecycle.CachedImage;
import io.cargohold.lifecycle.Evaluation;
import io.cargohold.lifecycle.Expiry;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.lifecycle.LifecyclePreview;
import io.cargohold.lifecycle.RuleOutcome;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The lifecycle routes of the control API, added to a given router:
 * <ul>
 *   <li>{@code POST /api/v1/lifecycle/preview} {@code {"repository": ..., "policy": ...}}: what each rule
 *   of {@code policy} (ECR lifecycle policy text; absent: the repository's own policy) would expire now
 *   and why, changing nothing (ECR's lifecycle policy preview);</li>
 *   <li>{@code POST /api/v1/lifecycle/run}: asks the lifecycle leader, wherever it runs, to run now
 *   ({@code 202}; the run's outcome shows in metrics and {@code image-expired} events).</li>
 * </ul>
 * Errors are {@code {"error": <ECR exception name>, "message": ...}}.
 */
public final class LifecycleApi {

    public static final String PREVIEW = "/api/v1/lifecycle/preview";
    public static final String RUN = "/api/v1/lifecycle/run";
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final LifecyclePreview preview;
    private final Runnable requestRun;

    public LifecycleApi(LifecyclePreview preview, Runnable requestRun) {
        this.preview = preview;
        this.requestRun = requestRun;
    }

    public void mount(Router router) {
        router.post(PREVIEW).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).handler(this::preview);
        router.post(RUN).handler(this::run);
    }

    private void preview(RoutingContext context) {
        JsonObject body;
        try {
            body = context.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            error(context, 400, "InvalidParameterException", "the body must be a JSON object");
            return;
        }
        String repository = body == null ? null : body.getString("repository");
        if (repository == null || repository.isBlank()) {
            error(context, 400, "InvalidParameterException", "repository is required");
            return;
        }
        preview.preview(repository, Optional.ofNullable(body.getString("policy")))
                .onSuccess(evaluation -> context.response().putHeader("Content-Type", "application/json")
                        .end(toJson(repository, evaluation).encode()))
                .onFailure(failure -> fail(context, failure));
    }

    private void run(RoutingContext context) {
        requestRun.run();
        context.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("requested", true).encode());
    }

    private static void fail(RoutingContext context, Throwable failure) {
        if (failure instanceof LifecyclePolicyException invalid) {
            error(context, 400, "InvalidParameterException", invalid.getMessage());
        } else if (failure instanceof RegistryException unknown && unknown.code() == OciErrorCode.NAME_UNKNOWN) {
            error(context, 404, "RepositoryNotFoundException",
                    "The repository with name '" + unknown.detail() + "' does not exist");
        } else if (failure instanceof NoSuchElementException none) {
            error(context, 404, "LifecyclePolicyNotFoundException", none.getMessage());
        } else {
            error(context, 500, "ServerException", String.valueOf(failure.getMessage()));
        }
    }

    private static void error(RoutingContext context, int status, String error, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).put("message", message).encode());
    }

    static JsonObject toJson(String repository, Evaluation evaluation) {
        JsonArray rules = new JsonArray();
        for (RuleOutcome outcome : evaluation.rules()) {
            JsonArray expired = new JsonArray();
            for (Expiry expiry : outcome.expired()) {
                expired.add(image(expiry.image()).put("reason", expiry.reason()));
            }
            JsonArray spared = new JsonArray();
            outcome.spared().forEach(image -> spared.add(image(image.image())
                    .put("selectedByRulePriority", image.selectedByRulePriority())));
            rules.add(new JsonObject()
                    .put("rulePriority", outcome.rule().rulePriority())
                    .put("description", outcome.rule().description().orElse(null))
                    .put("rule", outcome.rule().label())
                    .put("selected", new JsonArray(outcome.selected().stream().map(CachedImage::digest).toList()))
                    .put("expired", expired)
                    .put("spared", spared));
        }
        return new JsonObject()
                .put("repository", repository)
                .put("evaluatedAt", evaluation.now().toString())
                .put("rules", rules)
                .put("retained", new JsonArray(evaluation.retained().stream().map(CachedImage::digest).toList()));
    }

    private static JsonObject image(CachedImage image) {
        return new JsonObject()
                .put("digest", image.digest())
                .put("tags", new JsonArray(image.tags()))
                .put("cachedAt", image.cachedAt().toString())
                .put("lastPulledAt", image.lastPulledAt().map(Object::toString).orElse(null));
    }
}
