package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.config.CacheRuleJson;
import io.cargohold.config.ConfigException;
import io.cargohold.config.ConfigValidator;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Cache rules: the config file's (listed, read-only) and the cluster's (created, changed in place
 * and deleted here; every node follows within seconds). A change is checked whole, with the config
 * file's checks, before it is written, and written with one conditional map operation.
 */
public final class RulesApi {

    private static final Logger LOG = LoggerFactory.getLogger(RulesApi.class);
    private static final String PREFIX = "(?<prefix>.+)";
    private static final Pattern PREFIX_FORMAT = Pattern.compile(ConfigValidator.PREFIX_REGEX);

    private final List<CacheRule> configRules;
    private final ControlMap rules;
    private final UpstreamProbe probe;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    RulesApi(List<CacheRule> configRules, ControlMap rules, UpstreamProbe probe, AuditLog audit,
             Function<RoutingContext, String> caller) {
        this.configRules = configRules;
        this.rules = rules;
        this.probe = probe;
        this.audit = audit;
        this.caller = caller;
    }

    void mount(Router router) {
        router.get("/rules").handler(ctx -> ApiResponses.reply(ctx, 200,
                list(PageRequest.of(ctx.queryParams(), prefix -> PREFIX_FORMAT.matcher(prefix).matches()))));
        router.post("/rules").handler(ctx -> ApiResponses.reply(ctx, 201, create(caller.apply(ctx), ApiResponses.body(ctx))));
        router.post("/rules/validate").handler(ctx -> ApiResponses.reply(ctx, 200,
                probe.check(validate(ApiResponses.body(ctx)))));
        router.routeWithRegex(HttpMethod.POST, "/rules/" + PREFIX + "/validate")
                .handler(ctx -> ApiResponses.reply(ctx, 200, check(ctx.pathParam("prefix"))));
        router.routeWithRegex(HttpMethod.GET, "/rules/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 200, find(ctx.pathParam("prefix"))));
        router.routeWithRegex(HttpMethod.PUT, "/rules/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 200, update(caller.apply(ctx), ctx.pathParam("prefix"),
                        ApiResponses.body(ctx))));
        router.routeWithRegex(HttpMethod.DELETE, "/rules/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 204, delete(caller.apply(ctx), ctx.pathParam("prefix"))));
    }

    /** A page of the config file's rules and the cluster's together, by prefix (a prefix is one rule's). */
    public Future<JsonObject> list(PageRequest page) {
        return rules.all().map(stored -> {
            List<JsonObject> all = new ArrayList<>();
            configRules.forEach(rule -> all.add(fromConfig(rule)));
            stored.values().forEach(rule -> all.add(fromApi(rule)));
            return page.of(all, rule -> rule.getString("prefix")).toJson("rules");
        });
    }

    /** The rule of {@code prefix} as listed, with its source; 404 when there is none. */
    public Future<JsonObject> find(String prefix) {
        Optional<CacheRule> configured = configRule(prefix);
        if (configured.isPresent()) {
            return Future.succeededFuture(fromConfig(configured.get()));
        }
        return rules.get(prefix).map(stored -> fromApi(stored.orElseThrow(() -> unknown(prefix))));
    }

    /** Checks the prefix's rule upstream as a pull would use it: {@code {"prefix","valid","checks"}}. */
    public Future<JsonObject> check(String prefix) {
        return find(prefix).compose(found -> probe.check(CacheRuleJson.fromJson("rules", strip(found))));
    }

    public Future<JsonObject> create(String who, JsonObject body) {
        CacheRule rule = validate(body);
        if (configRule(rule.prefix()).isPresent()) {
            throw readOnly(rule.prefix());
        }
        JsonObject stored = CacheRuleJson.toJson(rule);
        return rules.create(rule.prefix(), stored).map(created -> {
            if (!created) {
                throw ApiException.conflict("rules.prefix", rule.prefix(), "a rule with this prefix exists");
            }
            audit.record(who, "rules.create", "rules/" + rule.prefix(), null, stored);
            warnIfInsecure(rule);
            return fromApi(stored);
        });
    }

    /** Changes the given settings in place; the prefix stays (a new prefix is a new rule). */
    public Future<JsonObject> update(String who, String prefix, JsonObject changes) {
        if (configRule(prefix).isPresent()) {
            throw readOnly(prefix);
        }
        if (changes.containsKey("prefix") && !prefix.equals(changes.getValue("prefix"))) {
            throw ApiException.invalid("rules.prefix", changes.getValue("prefix"),
                    "cannot be changed in place: create a rule with the new prefix and delete this one");
        }
        return rules.get(prefix).compose(found -> {
            JsonObject before = found.orElseThrow(() -> unknown(prefix));
            CacheRule changed = validate(before.copy().mergeIn(changes));
            JsonObject after = CacheRuleJson.toJson(changed);
            return rules.replace(prefix, before, after).map(replaced -> {
                if (!replaced) {
                    throw ApiException.conflict("rules.prefix", prefix, "the rule changed meanwhile: read it again");
                }
                audit.record(who, "rules.update", "rules/" + prefix, before, after);
                warnIfInsecure(changed);
                return fromApi(after);
            });
        });
    }

    /** Deletes the prefix's rule; answers it as it was. */
    public Future<JsonObject> delete(String who, String prefix) {
        if (configRule(prefix).isPresent()) {
            throw readOnly(prefix);
        }
        return rules.get(prefix).compose(found -> {
            JsonObject before = found.orElseThrow(() -> unknown(prefix));
            return rules.remove(prefix, before).map(removed -> {
                if (!removed) {
                    throw ApiException.conflict("rules.prefix", prefix, "the rule changed meanwhile: read it again");
                }
                audit.record(who, "rules.delete", "rules/" + prefix, before, null);
                return fromApi(before);
            });
        });
    }

    private static void warnIfInsecure(CacheRule rule) {
        if (rule.tls().skipsVerification()) {
            LOG.warn("rule {}: tls.insecureSkipVerify is true: any certificate, for any name, is accepted from {}",
                    rule.prefix(), rule.upstreamUrl());
        }
    }

    /** The whole rule, checked as the config file's rules are; a 400 naming the first problem. */
    private static CacheRule validate(JsonObject body) {
        try {
            CacheRule rule = CacheRuleJson.fromJson("rules", body);
            ConfigValidator.rule("rules", rule);
            return rule;
        } catch (ConfigException e) {
            throw ApiException.invalid(e);
        }
    }

    private Optional<CacheRule> configRule(String prefix) {
        return configRules.stream().filter(rule -> rule.prefix().equals(prefix)).findFirst();
    }

    private static JsonObject fromConfig(CacheRule rule) {
        return CacheRuleJson.toJson(rule).put("source", "config").put("readOnly", true);
    }

    private static JsonObject fromApi(JsonObject stored) {
        return stored.copy().put("source", "api").put("readOnly", false);
    }

    private static JsonObject strip(JsonObject listed) {
        JsonObject rule = listed.copy();
        rule.remove("source");
        rule.remove("readOnly");
        return rule;
    }

    private static ApiException unknown(String prefix) {
        return ApiException.notFound("no rule with prefix '" + prefix + "'");
    }

    private static ApiException readOnly(String prefix) {
        return ApiException.conflict("rules.prefix", prefix,
                "this rule comes from the config file and is read-only: change it there");
    }
}
