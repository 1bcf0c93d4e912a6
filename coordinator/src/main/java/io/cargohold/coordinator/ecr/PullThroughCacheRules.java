package io.cargohold.coordinator.ecr;

import io.cargohold.config.ConfigValidator;
import io.cargohold.config.SecretReference;
import io.cargohold.coordinator.api.PageRequest;
import io.cargohold.coordinator.api.RulesApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The pull through cache rule operations, on Cargohold's cache rules ({@link RulesApi}): a rule's prefix is
 * {@code ecrRepositoryPrefix}, its {@code upstreamUrl} the {@code upstreamRegistryUrl} ({@code https://} unless
 * given), its {@code credentials} {@code aws-secretsmanager:<credentialArn>} (a secret of any name). Cargohold's
 * own settings of a rule (refresh interval, platforms, ...) are kept by an update and stay the control API's.
 */
final class PullThroughCacheRules {

    private static final List<String> GATE = List.of("allow", "deny", "verify", "warm");
    private static final Pattern PREFIX_FORMAT = Pattern.compile(ConfigValidator.PREFIX_REGEX);
    private static final Map<String, String> FIELDS = Map.of("rules.prefix", "ecrRepositoryPrefix",
            "rules.upstreamUrl", "upstreamRegistryUrl", "rules.credentials", "credentialArn",
            "rules.customRoleArn", "customRoleArn", "rules.upstreamRepositoryPrefix", "upstreamRepositoryPrefix");
    private static final Function<String, String> FIELD = field -> FIELDS.getOrDefault(field, field);
    private static final String NOT_FOUND = "PullThroughCacheRuleNotFoundException";

    private final RulesApi rules;
    private final String registryId;

    PullThroughCacheRules(RulesApi rules, String registryId) {
        this.rules = rules;
        this.registryId = registryId;
    }

    void register(Map<String, EcrOperation> operations) {
        operations.put("CreatePullThroughCacheRule", new EcrOperation(this::create,
                EcrErrors.of(FIELD, NOT_FOUND, "PullThroughCacheRuleAlreadyExistsException", "ecrRepositoryPrefix")));
        EcrErrors errors = EcrErrors.of(FIELD, NOT_FOUND, EcrException.INVALID_PARAMETER, "ecrRepositoryPrefix");
        operations.put("DescribePullThroughCacheRules", new EcrOperation(this::describe, errors));
        operations.put("UpdatePullThroughCacheRule", new EcrOperation(this::update, errors));
        operations.put("ValidatePullThroughCacheRule", new EcrOperation(this::validate, errors));
        operations.put("DeletePullThroughCacheRule", new EcrOperation(call ->
                rules.delete(call.who(), call.required("ecrRepositoryPrefix")).map(this::show), errors));
    }

    private Future<JsonObject> create(EcrCall call) {
        String prefix = call.required("ecrRepositoryPrefix");
        String url = UpstreamRegistries.url(call.required("upstreamRegistryUrl"));
        String upstreamRegistry = call.string("upstreamRegistry");
        if (upstreamRegistry != null) {
            UpstreamRegistries.check(upstreamRegistry, url);
        }
        JsonObject rule = new JsonObject().put("prefix", prefix).put("upstreamUrl", url)
                .put("credentials", credentials(call.string("credentialArn")))
                .put("customRoleArn", call.string("customRoleArn"))
                .put("upstreamRepositoryPrefix", upstreamRepositoryPrefix(call.string("upstreamRepositoryPrefix")));
        return rules.create(call.who(), EcrShapes.withoutNulls(rule)).map(created -> show(created)
                .put("createdAt", EcrShapes.epochSeconds(call.now())));
    }

    private Future<JsonObject> describe(EcrCall call) {
        List<String> prefixes = call.strings("ecrRepositoryPrefixes");
        if (prefixes != null && !prefixes.isEmpty()) {
            List<Future<JsonObject>> found = prefixes.stream().map(rules::find).toList();
            return Future.all(found).map(done -> new JsonObject().put("pullThroughCacheRules",
                    new JsonArray(found.stream().map(rule -> (Object) show(rule.result())).toList())));
        }
        PageRequest page = PageRequest.of(call.maxResults(), call.nextToken(),
                prefix -> PREFIX_FORMAT.matcher(prefix).matches());
        return rules.list(page).map(listed -> EcrShapes.paged(listed, "rules", "pullThroughCacheRules", this::show));
    }

    /** Changes {@code credentialArn} and {@code customRoleArn} in place (absent: removed, as ECR does). */
    private Future<JsonObject> update(EcrCall call) {
        String prefix = call.required("ecrRepositoryPrefix");
        JsonObject changes = new JsonObject().put("credentials", credentials(call.string("credentialArn")))
                .put("customRoleArn", call.string("customRoleArn"));
        return rules.update(call.who(), prefix, changes).map(updated -> {
            JsonObject shown = show(updated).put("updatedAt", EcrShapes.epochSeconds(call.now()));
            shown.remove("upstreamRegistryUrl");
            shown.remove("upstreamRegistry");
            return shown;
        });
    }

    private Future<JsonObject> validate(EcrCall call) {
        String prefix = call.required("ecrRepositoryPrefix");
        return rules.find(prefix).compose(rule -> rules.check(prefix).map(result -> {
            List<String> failures = new ArrayList<>();
            result.getJsonArray("checks").forEach(check -> {
                JsonObject each = (JsonObject) check;
                if (!each.getBoolean("ok")) {
                    failures.add(each.getString("check") + ": " + each.getString("message"));
                }
            });
            JsonObject shown = show(rule).put("isValid", result.getBoolean("valid"));
            shown.remove("upstreamRegistry");
            if (!failures.isEmpty()) {
                shown.put("failure", String.join("; ", failures));
            }
            return shown;
        }));
    }

    /**
     * A rule as ECR shows it; a credentials reference that is not a Secrets Manager one is left out. Cargohold's
     * gate ({@code allow}, {@code deny}, {@code verify}, {@code warm}) is added where the rule has one: members ECR
     * does not define, which the AWS CLI and SDKs skip and raw callers see.
     */
    private JsonObject show(JsonObject rule) {
        String url = rule.getString("upstreamUrl");
        String credentials = rule.getString("credentials");
        String upstreamPrefix = rule.getString("upstreamRepositoryPrefix");
        JsonObject shown = new JsonObject().put("ecrRepositoryPrefix", rule.getString("prefix"))
                .put("upstreamRegistryUrl", UpstreamRegistries.shown(url))
                .put("registryId", registryId)
                .put("upstreamRegistry", UpstreamRegistries.of(url).orElse(null))
                .put("credentialArn", credentials != null && credentials.startsWith(SecretReference.AWS_SECRETS_MANAGER)
                        ? credentials.substring(SecretReference.AWS_SECRETS_MANAGER.length()) : null)
                .put("customRoleArn", rule.getString("customRoleArn"))
                .put("upstreamRepositoryPrefix", upstreamPrefix == null || upstreamPrefix.isEmpty() ? "ROOT"
                        : upstreamPrefix);
        for (String gate : GATE) {
            Object value = rule.getValue(gate);
            if (value instanceof JsonArray list && !list.isEmpty() || value instanceof JsonObject) {
                shown.put(gate, value);
            }
        }
        return EcrShapes.withoutNulls(shown);
    }

    private static String credentials(String credentialArn) {
        if (credentialArn == null) {
            return null;
        }
        if (!credentialArn.startsWith("arn:")) {
            throw EcrException.invalid("credentialArn", credentialArn, "must be the ARN of a Secrets Manager secret: "
                    + "arn:aws:secretsmanager:<region>:<account>:secret:<name>");
        }
        return SecretReference.AWS_SECRETS_MANAGER + credentialArn;
    }

    /** ECR's {@code ROOT} is Cargohold's absent prefix: upstream names as they are. */
    private static String upstreamRepositoryPrefix(String prefix) {
        return "ROOT".equals(prefix) ? null : prefix;
    }
}
