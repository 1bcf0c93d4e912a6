package io.cargohold.coordinator.api;

import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.RuleResolver;
import io.cargohold.config.CacheRule;
import io.cargohold.gate.AccessList;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinnedImage;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.Comparator;
import java.util.function.Function;

/**
 * Pinned images, mounted under {@code /api/v1}: {@code GET /pins} lists every pin with its warm-up (state,
 * bytes done of the total, error), {@code POST /pins} {@code {"image": "<prefix>/<repository>:<tag>"}} pins an
 * image and asks the workers to warm it now, {@code GET|DELETE /pins/<id>} shows or unpins one. The pins of the
 * rules' {@code warm} lists (source {@code config}) are unpinned by editing the config.
 */
public final class PinsApi {

    private static final String ID = "(?<id>[^/]+)";

    private final ControlMap pins;
    private final RuleResolver rules;
    private final Runnable requestWarmUp;
    private final AuditLog audit;
    private final Function<RoutingContext, String> caller;
    private final Clock clock;

    PinsApi(ControlMap pins, RuleResolver rules, Runnable requestWarmUp, AuditLog audit,
            Function<RoutingContext, String> caller, Clock clock) {
        this.pins = pins;
        this.rules = rules;
        this.requestWarmUp = requestWarmUp;
        this.audit = audit;
        this.caller = caller;
        this.clock = clock;
    }

    void mount(Router router) {
        router.get("/pins").handler(ctx -> ApiResponses.reply(ctx, 200, list()));
        router.post("/pins").handler(ctx -> ApiResponses.reply(ctx, 201,
                create(caller.apply(ctx), ApiResponses.body(ctx))));
        router.routeWithRegex(HttpMethod.GET, "/pins/" + ID)
                .handler(ctx -> ApiResponses.reply(ctx, 200, stored(ctx.pathParam("id"))));
        router.routeWithRegex(HttpMethod.DELETE, "/pins/" + ID)
                .handler(ctx -> ApiResponses.reply(ctx, 204, delete(caller.apply(ctx), ctx.pathParam("id"))));
    }

    /** {@code {"pins": [...]}}, by image. */
    public Future<JsonObject> list() {
        return pins.all().map(all -> {
            JsonArray list = new JsonArray();
            all.values().stream().map(Pin::fromJson).sorted(Comparator.comparing(Pin::image))
                    .forEach(pin -> list.add(pin.toJson()));
            return new JsonObject().put("pins", list);
        });
    }

    /** Pins {@code body.image}: a 400 naming the field when no rule serves it or it is no image reference. */
    public Future<JsonObject> create(String who, JsonObject body) {
        for (String field : body.fieldNames()) {
            if (!"image".equals(field)) {
                throw ApiException.invalid("pins." + field, body.getValue(field), "is not a pin setting (image)");
            }
        }
        Object value = body.getValue("image");
        if (!(value instanceof String text)) {
            throw ApiException.invalid("pins.image", value, "is required: <prefix>/<repository>:<tag> or "
                    + "<prefix>/<repository>@sha256:<hex>");
        }
        PinnedImage image;
        try {
            image = PinnedImage.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("pins.image", text, e.getMessage());
        }
        ProxyTarget target;
        try {
            target = rules.resolve(image.name());
        } catch (RegistryException e) {
            throw ApiException.invalid("pins.image", text, "no rule matches the name: " + e.getMessage());
        }
        // A pin names its rule: the mirror's default rule for unprefixed names would guess it.
        if (!image.name().value().startsWith(target.rule().prefix() + "/")) {
            throw ApiException.invalid("pins.image", text, "no rule matches the name: it must start with a rule's "
                    + "prefix (" + rules.rules().stream().map(CacheRule::prefix).sorted().toList() + ")");
        }
        AccessList.of(target.rule().prefix(), target.rule().gate().allow(), target.rule().gate().deny())
                .check(target.upstreamRepository(), image.tagOrNull())
                .ifPresent(refusal -> {
                    throw ApiException.invalid("pins.image", text, "is refused by its rule: " + refusal.message());
                });
        Pin pin = Pin.of(image.named(RepositoryName.parse(target.name())), Pin.API, clock.instant(), who);
        JsonObject stored = pin.toJson();
        return pins.create(pin.id(), stored).map(created -> {
            if (!created) {
                throw ApiException.conflict("pins.image", pin.image(), "is already pinned (pin " + pin.id() + ")");
            }
            audit.record(who, "pins.create", "pins/" + pin.id(), null, stored);
            requestWarmUp.run();
            return stored;
        });
    }

    /** Unpins it; answers nothing. A pin of the config file is refused with a 409. */
    public Future<JsonObject> delete(String who, String id) {
        return stored(id).compose(before -> {
            if (Pin.CONFIG.equals(before.getString("source"))) {
                throw ApiException.conflict("pins.id", id, before.getString("image") + " is pinned by the config "
                        + "file (its rule's warm list): edit the config to unpin it");
            }
            return pins.delete(id).map(removed -> {
                if (removed != null) {
                    audit.record(who, "pins.delete", "pins/" + id, before, null);
                }
                return new JsonObject();
            });
        });
    }

    private Future<JsonObject> stored(String id) {
        return pins.get(id).map(found -> found.orElseThrow(() ->
                ApiException.notFound("pins.id", id, "no pin with id '" + id + "'")));
    }
}
