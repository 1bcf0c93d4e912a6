package io.cargohold.coordinator.ecr;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.policy.Decision;
import io.cargohold.policy.EcrActions;
import io.cargohold.policy.PolicyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Amazon ECR API (awsJson 1.1: {@code POST /}, {@code X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<operation>},
 * JSON in and out) on the admin port beside the control API, so {@code aws ecr ... --endpoint-url} and the SDKs'
 * {@code EcrClient} work unchanged. Every operation maps onto the control API's parts ({@link ControlApi.Operations}):
 * the same checks, storage and audit events. Callers are {@link EcrCallers}'; {@code auth.admins} may call every
 * operation, other users what the registry and repository policies allow them on the operation's repository.
 */
public final class EcrApi {

    public static final String TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    /** Operations any authenticated user may call: they concern no repository. */
    private static final List<String> ANY_USER = List.of("GetAuthorizationToken", "DescribeRegistry");

    /** Failures before an operation took the request (its own errors are mapped by the operation). */
    private static final EcrErrors UNMAPPED = EcrErrors.of(field -> field, EcrException.INVALID_PARAMETER,
            EcrException.INVALID_PARAMETER, "request");

    private final Map<String, EcrOperation> operations;
    private final EcrCallers callers;
    private final ControlApi.Operations control;
    private final Clock clock;

    private EcrApi(Map<String, EcrOperation> operations, EcrCallers callers, ControlApi.Operations control,
                   Clock clock) {
        this.operations = Map.copyOf(operations);
        this.callers = callers;
        this.control = control;
        this.clock = clock;
    }

    /**
     * What the API works on: the control API's parts, the config's {@code auth} (null: none), and the registry
     * API's URL (where {@code GetAuthorizationToken}'s tokens log in).
     */
    public record Dependencies(Vertx vertx, ControlApi.Operations control, CargoholdConfig.AuthConfig auth,
                               String registryUrl) {
    }

    /** Serves the API on {@code POST /} of {@code root} (the admin server's router). */
    public static void mount(Router root, Dependencies deps) {
        String registryId = deps.control().policies().registry().account();
        Map<String, EcrOperation> operations = new HashMap<>();
        new PullThroughCacheRules(deps.control().rules(), registryId).register(operations);
        new RepositoriesAndImages(deps.control().repositories(), deps.control().policies().registry(),
                deps.registryUrl().replaceFirst("^https?://", "")).register(operations);
        new LifecyclePolicies(deps.control().repositories(), deps.control().lifecycle(), registryId)
                .register(operations);
        new AccessPolicies(deps.control().policies(), registryId).register(operations);
        new CreationTemplates(deps.control().templates(), registryId).register(operations);
        new ImageContents(deps.control().repositories(), registryId, deps.registryUrl()).register(operations);
        new RegistryOperations(deps.control().tokens(), registryId, deps.registryUrl()).register(operations);
        Clock clock = Clock.systemUTC();
        EcrApi api = new EcrApi(operations, new EcrCallers(deps.vertx(), deps.auth(), registryId, clock),
                deps.control(), clock);
        root.post("/").consumes(CONTENT_TYPE).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(api::serve);
    }

    private void serve(RoutingContext ctx) {
        String target = ctx.request().getHeader("X-Amz-Target");
        Buffer body = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
        SigV4Verifier.Request request = new SigV4Verifier.Request(ctx.request().method().name(),
                rawPath(ctx.request().uri()), ctx.request().query(),
                name -> ctx.request().headers().getAll(name), body.getBytes());
        callers.authenticate(request).compose(caller -> {
            EcrOperation operation = operation(target);
            String name = target.substring(TARGET_PREFIX.length());
            EcrCall call = new EcrCall(name, caller.name(), caller.principal(), caller.admin(), input(body),
                    clock.instant());
            checkRegistryId(call);
            return authorize(call).compose(allowed -> operation.call(call));
        }).onSuccess(output -> ctx.response().setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("x-amzn-RequestId", UUID.randomUUID().toString()).end(output.encode()))
                .onFailure(failure -> {
                    EcrException error = UNMAPPED.translate(failure);
                    ctx.response().setStatusCode(error.status()).putHeader("Content-Type", CONTENT_TYPE)
                            .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                            .putHeader("x-amzn-ErrorType", error.shape()).end(error.toJson().encode());
                });
    }

    private EcrOperation operation(String target) {
        if (target == null || !target.startsWith(TARGET_PREFIX)) {
            throw new EcrException("UnknownOperationException", "X-Amz-Target must be " + TARGET_PREFIX
                    + "<operation>, not '" + target + "'");
        }
        EcrOperation operation = operations.get(target.substring(TARGET_PREFIX.length()));
        if (operation == null) {
            throw new EcrException("UnknownOperationException", "X-Amz-Target '" + target
                    + "': Cargohold does not serve this operation (it serves " + operations.keySet().stream().sorted()
                    .toList() + ")");
        }
        return operation;
    }

    private static JsonObject input(Buffer body) {
        if (body.length() == 0) {
            return new JsonObject();
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new EcrException("SerializationException", "the request body must be a JSON object: "
                    + e.getMessage());
        }
    }

    /** ECR requests may name the registry; only this one's account can be named. */
    private void checkRegistryId(EcrCall call) {
        String registryId = call.string("registryId");
        String account = control.policies().registry().account();
        if (registryId != null && !registryId.equals(account)) {
            throw EcrException.invalid("registryId", registryId, "must be this registry's account id " + account
                    + " (or left out)");
        }
    }

    /**
     * Admins may call everything; others an operation on a repository when the policies allow them its action
     * there, and the operations of {@link #ANY_USER}. A refusal is an audit event.
     */
    private Future<Void> authorize(EcrCall call) {
        if (call.admin() || ANY_USER.contains(call.operation())) {
            return Future.succeededFuture();
        }
        String action;
        try {
            action = EcrActions.canonical("action", "ecr:" + call.operation());
        } catch (PolicyException e) {
            return Future.failedFuture(denied(call, "ecr:" + call.operation(), null, "only auth.admins may call it"));
        }
        List<String> repositories = call.input().getValue("repositoryName") instanceof String name ? List.of(name)
                : call.strings("repositoryNames");
        if (repositories == null || repositories.isEmpty()) {
            return Future.failedFuture(denied(call, action, null,
                    "only auth.admins may call it without naming repositories"));
        }
        List<Future<Decision>> decisions = repositories.stream()
                .map(repository -> control.policies().decide(call.principal(), action, repository)).toList();
        return Future.all(decisions).compose(done -> {
            for (int i = 0; i < decisions.size(); i++) {
                Decision decision = decisions.get(i).result();
                if (!decision.allowed()) {
                    return Future.failedFuture(denied(call, action, repositories.get(i), decision.reason()));
                }
            }
            return Future.succeededFuture();
        });
    }

    private EcrException denied(EcrCall call, String action, String repository, String reason) {
        String resource = repository == null ? "registry " + control.policies().registry().account()
                : control.policies().registry().repositoryArn(repository);
        control.audit().record(call.who(), "ecr." + call.operation() + ".denied",
                repository == null ? "registry" : repository, null,
                new JsonObject().put("action", action).put("reason", reason));
        return new EcrException(EcrException.ACCESS_DENIED, "User: " + call.principal().arn()
                + " is not authorized to perform: " + action + " on resource: " + resource + " because " + reason);
    }

    private static String rawPath(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return path.isEmpty() ? "/" : path;
    }
}
