package io.cargohold.coordinator.api;

import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.policy.Authorizer;
import io.cargohold.policy.Decision;
import io.cargohold.policy.EcrActions;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.policy.Principal;
import io.cargohold.policy.RegistryId;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryPolicyStore;
import io.cargohold.spi.Repository;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The control API of access policies, under {@code /api/v1}: the registry policy
 * ({@code PUT|GET|DELETE /registry-policy}), a repository's policy ({@code PUT|GET|DELETE
 * /repositories/<name>/policy}, the name with its slashes) and {@code POST /policies/simulate}. A policy is the
 * request body, validated whole before anything is written; a problem answers 400 (404 for what does not exist)
 * with {@code {"errors":[{"field", "value", "message"}]}}, as the rest of the control API. Every change is
 * recorded in the {@link AuditLog}: the operation, the resource ({@code registry-policy} or the repository) and
 * the policy before and after.
 */
public final class PolicyApi {

    /** The audit resource of the registry policy. */
    static final String REGISTRY_POLICY = "registry-policy";
    private static final String REPOSITORY_POLICY = "/repositories/(?<name>.+)/policy";

    private final MetadataStore metadata;
    private final RegistryPolicyStore registryPolicies;
    private final Authorizer authorizer;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    PolicyApi(MetadataStore metadata, RegistryPolicyStore registryPolicies, Authorizer authorizer,
              AuditLog audit, Function<RoutingContext, String> caller) {
        this.metadata = metadata;
        this.registryPolicies = registryPolicies;
        this.authorizer = authorizer;
        this.audit = audit;
        this.caller = caller;
    }

    /** Serves the policy routes on the control API's router (mounted under {@link ControlApi#BASE}). */
    void mount(Router router) {
        router.put("/registry-policy").handler(ctx ->
                reply(ctx, putRegistryPolicy(caller.apply(ctx), ctx.body().asString())));
        router.get("/registry-policy").handler(ctx -> reply(ctx, getRegistryPolicy()));
        router.delete("/registry-policy").handler(ctx -> reply(ctx, deleteRegistryPolicy(caller.apply(ctx))));
        router.routeWithRegex(HttpMethod.PUT, REPOSITORY_POLICY).handler(ctx -> reply(ctx,
                putRepositoryPolicy(caller.apply(ctx), ctx.pathParam("name"), ctx.body().asString())));
        router.routeWithRegex(HttpMethod.GET, REPOSITORY_POLICY).handler(ctx ->
                reply(ctx, getRepositoryPolicy(ctx.pathParam("name"))));
        router.routeWithRegex(HttpMethod.DELETE, REPOSITORY_POLICY).handler(ctx ->
                reply(ctx, deleteRepositoryPolicy(caller.apply(ctx), ctx.pathParam("name"))));
        router.post("/policies/simulate").handler(ctx -> reply(ctx, simulate(ctx.body().asString())));
    }

    private static void reply(RoutingContext ctx, Future<JsonObject> work) {
        ApiResponses.reply(ctx, 200, work);
    }

    public Future<JsonObject> putRegistryPolicy(String who, String body) {
        String policy = validPolicy(body);
        return registryPolicies.putRegistryPolicy(policy).map(before -> {
            audit(who, REGISTRY_POLICY, "registryPolicy.put", before.orElse(null), policy);
            return new JsonObject().put("policy", new JsonObject(policy));
        });
    }

    public Future<JsonObject> getRegistryPolicy() {
        return registryPolicies.registryPolicy().map(policy -> new JsonObject().put("policy", new JsonObject(
                policy.orElseThrow(() -> ApiException.notFound("registry-policy", null,
                        "the registry has no policy")))));
    }

    public Future<JsonObject> deleteRegistryPolicy(String who) {
        return registryPolicies.deleteRegistryPolicy().map(before -> {
            String removed = before.orElseThrow(() -> ApiException.notFound("registry-policy", null,
                    "the registry has no policy"));
            audit(who, REGISTRY_POLICY, "registryPolicy.delete", removed, null);
            return new JsonObject().put("policy", new JsonObject(removed));
        });
    }

    public Future<JsonObject> putRepositoryPolicy(String who, String name, String body) {
        String repositoryName = validName(name);
        String policy = validPolicy(body);
        return existing(repositoryName)
                .compose(repository -> replaceRepositoryPolicy(who, repository, policy, "repositories.setPolicy"));
    }

    public Future<JsonObject> getRepositoryPolicy(String name) {
        String repositoryName = validName(name);
        return existing(repositoryName).map(repository -> new JsonObject().put("repository", repositoryName)
                .put("policy", new JsonObject(policyOf(repository))));
    }

    public Future<JsonObject> deleteRepositoryPolicy(String who, String name) {
        String repositoryName = validName(name);
        return existing(repositoryName)
                .compose(repository -> replaceRepositoryPolicy(who, repository, null, "repositories.deletePolicy"));
    }

    /**
     * Stores the repository with {@code policy} (null: none; 404 when it has none either), its other settings kept;
     * answers the policy put or removed.
     */
    private Future<JsonObject> replaceRepositoryPolicy(String who, Repository repository, String policy,
                                                       String operation) {
        String before = policy == null ? policyOf(repository) : repository.settings().repositoryPolicy();
        return metadata.putRepository(repository.withSettings(repository.settings().withRepositoryPolicy(policy)))
                .map(v -> {
                    audit(who, repository.name(), operation, before, policy);
                    return new JsonObject().put("repository", repository.name())
                            .put("policy", new JsonObject(policy != null ? policy : before));
                });
    }

    /**
     * {@code {principal: {account, org, arn, tags}, action, resource}}: the decision the registry would make,
     * with the policy and statement that made it. No principal, or one without an account, is anonymous; the
     * resource is a repository name or its ARN.
     */
    Future<JsonObject> simulate(String body) {
        JsonObject request = jsonObject(body);
        Principal principal = principal(request.getValue("principal"));
        String action = string(request, "action", true);
        try {
            action = EcrActions.canonical("action", action);
        } catch (PolicyException e) {
            throw ApiException.fromPolicy("", e);
        }
        String repository = repositoryOf(string(request, "resource", true));
        return decide(principal, action, repository).map(decision -> new JsonObject()
                .put("decision", decision.outcome().name()).put("action", decision.action())
                .put("resource", authorizer.registry().repositoryArn(repository))
                .put("policy", decision.policy()).put("statement", decision.statement())
                .put("reason", decision.reason()));
    }

    /** The decision the registry makes on {@code action} (canonical) by {@code principal} on {@code repository}. */
    public Future<Decision> decide(Principal principal, String action, String repository) {
        return Future.all(metadata.repository(repository), registryPolicies.registryPolicy()).map(both -> {
            Optional<Repository> stored = both.resultAt(0);
            Optional<String> registryPolicy = both.resultAt(1);
            return authorizer.decide(principal, action, repository, registryPolicy.map(Policy::parse).orElse(null),
                    stored.map(r -> r.settings().repositoryPolicy()).map(Policy::parse).orElse(null));
        });
    }

    /** The registry's account, partition and region. */
    public RegistryId registry() {
        return authorizer.registry();
    }

    private static String validPolicy(String body) {
        try {
            Policy.parse(body == null ? "" : body);
            return body;
        } catch (PolicyException e) {
            throw ApiException.fromPolicy("", e);
        }
    }

    private static String validName(String name) {
        try {
            return RepositoryName.parse(name).value();
        } catch (RegistryException e) {
            throw ApiException.invalid("name", name, "must be a repository name: lower-case path components "
                    + "matching " + RepositoryName.COMPONENT + " separated by /");
        }
    }

    private Future<Repository> existing(String name) {
        return metadata.repository(name).map(found -> found.orElseThrow(() -> ApiException.notFound("name",
                name, "no such repository: a repository exists once a pull has created it")));
    }

    private static String policyOf(Repository repository) {
        String policy = repository.settings().repositoryPolicy();
        if (policy == null) {
            throw ApiException.notFound("name", repository.name(), "the repository has no policy");
        }
        return policy;
    }

    /** A repository name, or the ARN of one of this registry's repositories. */
    private String repositoryOf(String resource) {
        String arnPrefix = authorizer.registry().repositoryArn("r");
        arnPrefix = arnPrefix.substring(0, arnPrefix.length() - 1);
        if (resource.startsWith("arn:")) {
            if (!resource.startsWith(arnPrefix)) {
                throw ApiException.invalid("resource", resource, "must be a repository name or the ARN of one "
                        + "of this registry's repositories: " + arnPrefix + "<name>");
            }
            resource = resource.substring(arnPrefix.length());
        }
        try {
            return RepositoryName.parse(resource).value();
        } catch (RegistryException e) {
            throw ApiException.invalid("resource", resource, "must name a repository: lower-case path "
                    + "components matching " + RepositoryName.COMPONENT + " separated by /");
        }
    }

    private static Principal principal(Object value) {
        if (value == null) {
            return Principal.anonymous();
        }
        if (!(value instanceof JsonObject json)) {
            throw ApiException.invalid("principal", String.valueOf(value),
                    "must be an object {account, org, arn, tags}");
        }
        String account = string(json, "account", false, "principal.account");
        String arn = string(json, "arn", false, "principal.arn");
        Map<String, String> tags = new HashMap<>();
        Object tagValue = json.getValue("tags");
        if (tagValue != null) {
            if (!(tagValue instanceof JsonObject tagObject)) {
                throw ApiException.invalid("principal.tags", String.valueOf(tagValue),
                        "must be an object of tag keys to string values");
            }
            tagObject.forEach(tag -> tags.put(tag.getKey(), string(tagObject, tag.getKey(), true,
                    "principal.tags." + tag.getKey())));
        }
        try {
            return new Principal(account, string(json, "org", false, "principal.org"),
                    arn != null || account == null ? arn : "arn:aws:iam::" + account + ":root", tags);
        } catch (PolicyException e) {
            throw ApiException.fromPolicy("", e);
        }
    }

    private static JsonObject jsonObject(String body) {
        try {
            JsonObject json = body == null || body.isBlank() ? null : new JsonObject(body);
            if (json != null) {
                return json;
            }
        } catch (DecodeException | ClassCastException e) {
            // answered below
        }
        throw ApiException.invalid("body", null,
                "must be a JSON object {principal: {account, org, arn, tags}, action, resource}");
    }

    private static String string(JsonObject json, String key, boolean required) {
        return string(json, key, required, key);
    }

    private static String string(JsonObject json, String key, boolean required, String field) {
        Object value = json.getValue(key);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String text) || text.isEmpty()) {
            throw ApiException.invalid(field, value == null ? null : String.valueOf(value),
                    value == null ? "is required" : "must be a non-empty string");
        }
        return text;
    }

    private void audit(String who, String resource, String operation, String before, String after) {
        audit.record(who, operation, resource, before == null ? null : new JsonObject(before),
                after == null ? null : new JsonObject(after));
    }
}
