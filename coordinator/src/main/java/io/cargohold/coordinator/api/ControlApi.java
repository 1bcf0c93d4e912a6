package io.cargohold.coordinator.api;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.auth.ApiTokens;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.TagRevalidator;
import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigValidator;
import io.cargohold.config.UpstreamTls;
import io.cargohold.lifecycle.LifecyclePreview;
import io.cargohold.meta.hazelcast.ControlMaps;
import io.cargohold.meta.hazelcast.HazelcastPins;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.meta.hazelcast.HazelcastWorkRequests;
import io.cargohold.pin.Pin;
import io.cargohold.policy.Authorizer;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RepositoryTemplate;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The control API, JSON under {@link #BASE} on the admin port of the processes that run the
 * coordinator role: cache rules, repository creation templates, repositories and their images,
 * registry and repository policies, API tokens, lifecycle policy previews and runs, pinned images.
 * Every change is checked whole before anything is written and raises an audit event naming the
 * caller ({@link AdminAccess}).
 */
public final class ControlApi {

    public static final String BASE = "/api/v1";
    public static final String ADMIN = "admin";
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final Pattern PREFIX = Pattern.compile(ConfigValidator.PREFIX_REGEX);

    private ControlApi() {
    }

    /**
     * What the API works on: the cluster, this process's cache, the config file's rules, the event bus,
     * the authorizer that policy simulations decide with, as the edges do, and the default TLS settings
     * of the rules' upstreams, which rule checks connect with.
     */
    public record Dependencies(Vertx vertx, HazelcastInstance hazelcast, PullThrough cache,
                               List<CacheRule> configRules, EventPublisher events, String node, Authorizer authorizer,
                               UpstreamTls upstreamTls) {
    }

    /** The parts of the API other front ends (the ECR API) call, so they share its checks, storage and audit. */
    public record Operations(RulesApi rules, TemplatesApi templates, PolicyApi policies, RepositoriesApi repositories,
                             LifecycleApi lifecycle, ApiTokens tokens, AuditLog audit) {
    }

    /** Serves the API under {@link #BASE} of {@code root} (the admin server's router); answers its parts. */
    public static Operations mount(Router root, Dependencies deps) {
        Function<RoutingContext, String> caller = AdminAccess::caller;
        AuditLog audit = new AuditLog(deps.events(), deps.node());
        Router api = Router.router(deps.vertx());
        api.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        RulesApi rules = new RulesApi(deps.configRules(), new ControlMap(deps.vertx(), deps.hazelcast().getMap(ControlMaps.RULES),
                        prefix -> PREFIX.matcher(prefix).matches()),
                new UpstreamProbe(deps.vertx(), deps.upstreamTls()), audit, caller);
        rules.mount(api);
        TemplatesApi templates = new TemplatesApi(new ControlMap(deps.vertx(), deps.hazelcast().getMap(ControlMaps.TEMPLATES),
                prefix -> RepositoryTemplate.ROOT.equals(prefix) || PREFIX.matcher(prefix).matches()),
                deps.cache().metadata(), audit, caller);
        templates.mount(api);
        HazelcastRegistryDocuments registry = new HazelcastRegistryDocuments(deps.hazelcast());
        // Before the repositories' routes, whose names would swallow a trailing /policy.
        PolicyApi policies = new PolicyApi(deps.cache().metadata(), registry, deps.authorizer(), audit, caller);
        policies.mount(api);
        ApiTokens tokens = new ApiTokens(registry, Clock.systemUTC());
        new TokensApi(deps.vertx(), tokens, registry, deps.authorizer().registry().account(), audit, caller)
                .mount(api);
        RepositoriesApi repositories = new RepositoriesApi(deps.cache().metadata(), deps.authorizer(), deps.cache().rules(),
                new TagRevalidator(deps.cache().metadata(), deps.cache().manifests(), Clock.systemUTC()), audit,
                caller);
        repositories.mount(api);
        HazelcastWorkRequests work = new HazelcastWorkRequests(deps.hazelcast());
        LifecycleApi lifecycle = new LifecycleApi(new LifecyclePreview(deps.cache().metadata(),
                new HazelcastPins(deps.vertx(), deps.hazelcast()), Clock.systemUTC()), work::requestLifecycleRun);
        lifecycle.mount(api);
        new PinsApi(new ControlMap(deps.vertx(), deps.hazelcast().getMap(ControlMaps.PINS),
                id -> id.matches(Pin.ID_REGEX)), deps.cache().rules(), work::requestPinWarmUp, audit, caller,
                Clock.systemUTC()).mount(api);
        api.route().handler(ctx -> ctx.fail(404));
        api.route().failureHandler(ApiResponses::failure);
        root.route(BASE + "/*").subRouter(api);
        return new Operations(rules, templates, policies, repositories, lifecycle, tokens, audit);
    }
}
