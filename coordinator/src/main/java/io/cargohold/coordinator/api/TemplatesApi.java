package io.cargohold.coordinator.api;

import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositoryTemplate;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Repository creation templates, matched by longest prefix ({@code ROOT} the default) when a first
 * pull creates a repository. A change affects repositories created afterwards; with
 * {@code "applyToExisting": true} also the existing repositories it is now the template of.
 */
public final class TemplatesApi {

    private static final String PREFIX = "(?<prefix>.+)";
    /** Repositories read from storage at a time when a template is applied to existing ones. */
    private static final int REPOSITORY_PAGE = 500;

    private final ControlMap templates;
    private final MetadataStore metadata;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;

    TemplatesApi(ControlMap templates, MetadataStore metadata, AuditLog audit,
                 Function<RoutingContext, String> caller) {
        this.templates = templates;
        this.metadata = metadata;
        this.audit = audit;
        this.caller = caller;
    }

    void mount(Router router) {
        router.get("/templates").handler(ctx -> ApiResponses.reply(ctx, 200,
                list(PageRequest.of(ctx.queryParams(), templates::validKey))));
        router.post("/templates").handler(ctx -> ApiResponses.reply(ctx, 201,
                create(caller.apply(ctx), ApiResponses.body(ctx))));
        router.routeWithRegex(HttpMethod.GET, "/templates/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 200, find(ctx.pathParam("prefix"))));
        router.routeWithRegex(HttpMethod.PUT, "/templates/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 200, update(caller.apply(ctx), ctx.pathParam("prefix"),
                        ApiResponses.body(ctx))));
        router.routeWithRegex(HttpMethod.DELETE, "/templates/" + PREFIX)
                .handler(ctx -> ApiResponses.reply(ctx, 204, delete(caller.apply(ctx), ctx.pathParam("prefix"))));
    }

    /** A page of templates by prefix, as shown. */
    public Future<JsonObject> list(PageRequest page) {
        return templates.all().map(all -> page.of(all.entrySet(), Map.Entry::getKey)
                .map(entry -> TemplateRequest.show(RepositoryTemplate.fromJson(entry.getValue())))
                .toJson("templates"));
    }

    /** Whether {@code prefix} can name a template. */
    public boolean validPrefix(String prefix) {
        return templates.validKey(prefix);
    }

    public Future<JsonObject> find(String prefix) {
        return stored(prefix).map(found -> TemplateRequest.show(RepositoryTemplate.fromJson(found)));
    }

    public Future<JsonObject> create(String who, JsonObject body) {
        RepositoryTemplate template = TemplateRequest.parse(body);
        JsonObject stored = template.toJson();
        return templates.create(template.prefix(), stored).compose(created -> {
            if (!created) {
                throw ApiException.conflict("templates.prefix", template.prefix(), "a template with this prefix exists");
            }
            audit.record(who, "templates.create", "templates/" + template.prefix(), null, stored);
            return applyIfAsked(who, body, template);
        });
    }

    public Future<JsonObject> update(String who, String prefix, JsonObject changes) {
        if (changes.containsKey("prefix") && !prefix.equals(changes.getValue("prefix"))) {
            throw ApiException.invalid("templates.prefix", changes.getValue("prefix"), "cannot be changed in place");
        }
        return stored(prefix).compose(before -> {
            JsonObject merged = TemplateRequest.show(RepositoryTemplate.fromJson(before)).mergeIn(changes);
            RepositoryTemplate template = TemplateRequest.parse(merged);
            JsonObject after = template.toJson();
            return templates.replace(prefix, before, after).compose(replaced -> {
                if (!replaced) {
                    throw ApiException.conflict("templates.prefix", prefix, "the template changed meanwhile");
                }
                audit.record(who, "templates.update", "templates/" + prefix, before, after);
                return applyIfAsked(who, changes, template);
            });
        });
    }

    /** Deletes the prefix's template; answers it as it was. */
    public Future<JsonObject> delete(String who, String prefix) {
        return stored(prefix).compose(before -> templates.remove(prefix, before).map(removed -> {
            if (!removed) {
                throw ApiException.conflict("templates.prefix", prefix, "the template changed meanwhile");
            }
            audit.record(who, "templates.delete", "templates/" + prefix, before, null);
            return TemplateRequest.show(RepositoryTemplate.fromJson(before));
        }));
    }

    private Future<JsonObject> stored(String prefix) {
        return templates.get(prefix).map(found -> found.orElseThrow(() ->
                ApiException.notFound("no template with prefix '" + prefix + "'")));
    }

    /** The template as shown, with the repositories it was applied to when the body asked for that. */
    private Future<JsonObject> applyIfAsked(String who, JsonObject body, RepositoryTemplate template) {
        JsonObject shown = TemplateRequest.show(template);
        if (!body.getBoolean("applyToExisting", false)) {
            return Future.succeededFuture(shown);
        }
        return applyToExisting(who, template).map(names -> shown.put("appliedTo", new JsonArray(names)));
    }

    /** Applies the template to every existing repository whose best-matching template it is now. */
    private Future<List<String>> applyToExisting(String who, RepositoryTemplate template) {
        return templates.all().compose(all -> {
            List<RepositoryTemplate> current = all.values().stream().map(RepositoryTemplate::fromJson).toList();
            List<String> appliedTo = new ArrayList<>();
            return metadata.forEachRepositoryPage(REPOSITORY_PAGE, names -> {
                List<Future<Optional<String>>> applied = new ArrayList<>();
                for (String name : names) {
                    boolean ours = RepositoryTemplate.match(current, name)
                            .map(best -> best.prefix().equals(template.prefix())).orElse(false);
                    if (ours) {
                        applied.add(metadata.repository(name).compose(found -> found.isEmpty()
                                ? Future.succeededFuture(Optional.empty()) : apply(who, found.get(), template)));
                    }
                }
                return Future.all(applied).<Void>map(done -> {
                    applied.forEach(each -> each.result().ifPresent(appliedTo::add));
                    return null;
                });
            }).map(appliedTo);
        });
    }

    private Future<Optional<String>> apply(String who, Repository repository, RepositoryTemplate template) {
        Repository changed = repository.withSettings(template.settings());
        return metadata.putRepository(changed).map(v -> {
            audit.record(who, "repositories.applyTemplate", repository.name(),
                    RepositoriesApi.show(repository), RepositoriesApi.show(changed));
            return Optional.of(repository.name());
        });
    }
}
