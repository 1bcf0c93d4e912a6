package io.cargohold.coordinator.api;

import io.cargohold.auth.ApiTokens;
import io.cargohold.config.ConfigValidator;
import io.cargohold.spi.ApiTokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * API tokens, which clients log in to the registry with in place of a password: created (the token is
 * in the answer, and only there), listed and deleted (it stops working at once). A token stands for
 * a principal of an account (the registry's own unless given) and an organization.
 */
final class TokensApi {

    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern LIST_KEY = Pattern.compile(ConfigValidator.USER_NAME.pattern() + " " + ID.pattern());

    private final Vertx vertx;
    private final ApiTokens tokens;
    private final ApiTokenStore store;
    private final String registryAccount;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    TokensApi(Vertx vertx, ApiTokens tokens, ApiTokenStore store, String registryAccount, AuditLog audit,
              Function<RoutingContext, String> caller) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.store = store;
        this.registryAccount = registryAccount;
        this.audit = audit;
        this.caller = caller;
    }

    void mount(Router router) {
        router.get("/tokens").handler(ctx -> ApiResponses.reply(ctx, 200,
                list(PageRequest.of(ctx.queryParams(), key -> LIST_KEY.matcher(key).matches()))));
        router.post("/tokens").handler(ctx -> ApiResponses.reply(ctx, 201, create(ctx)));
        router.routeWithRegex(HttpMethod.DELETE, "/tokens/(?<id>[^/]+)")
                .handler(ctx -> ApiResponses.reply(ctx, 200, delete(ctx, ctx.pathParam("id"))));
    }

    /** A page of tokens by name, then id; every token is read, as the cluster keeps few. */
    private Future<JsonObject> list(PageRequest page) {
        return vertx.executeBlocking(store::apiTokens, false).map(documents -> page.of(
                documents.stream().map(JsonObject::new).map(ApiTokens::describe).toList(),
                TokensApi::listKey).toJson("tokens"));
    }

    /** Name and id apart by a space, which no name holds and which sorts before every character a name may hold. */
    private static String listKey(JsonObject token) {
        return token.getString("name") + " " + token.getString("id");
    }

    private Future<JsonObject> create(RoutingContext ctx) {
        JsonObject body = ApiResponses.body(ctx);
        String name = field(body, "name", ConfigValidator.USER_NAME, true);
        String account = field(body, "account", ConfigValidator.ACCOUNT, false);
        String org = field(body, "org", ConfigValidator.ORG_ID, false);
        return tokens.create(name, account != null ? account : registryAccount, org).map(created -> {
            audit.record(caller.apply(ctx), "tokens.create", "tokens/" + created.description().getString("id"),
                    null, created.description());
            return created.description().copy().put("token", created.token());
        });
    }

    private Future<JsonObject> delete(RoutingContext ctx, String id) {
        if (!ID.matcher(id).matches()) {
            throw ApiException.invalid("id", id, "must be a token id: 16 hex digits");
        }
        return store.deleteApiToken(id).map(removed -> {
            JsonObject description = ApiTokens.describe(new JsonObject(removed.orElseThrow(() ->
                    ApiException.notFound("id", id, "no such token"))));
            audit.record(caller.apply(ctx), "tokens.delete", "tokens/" + id, description, null);
            return new JsonObject().put("token", description);
        });
    }

    private static String field(JsonObject body, String key, Pattern format, boolean required) {
        Object value = body.getValue(key);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String text) || !format.matcher(text).matches()) {
            throw ApiException.invalid("tokens." + key, value, value == null ? "is required"
                    : "must match " + format.pattern());
        }
        return text;
    }
}
