package io.cargohold.coordinator.api;

import io.cargohold.auth.BasicCredentials;
import io.cargohold.auth.Users;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.policy.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may use the control API. With {@code auth} in the config, every request under
 * {@link ControlApi#BASE} needs HTTP basic credentials of one of {@code auth.users}: none or wrong
 * ones are a 401 with a Basic challenge. {@code auth.admins} may do everything, and the admin's name is
 * the {@code who} of audit events. Any other user is a reader: they may read repositories and images
 * ({@link #READABLE}, each shown only when their policies allow it: {@link RepositoriesApi}) and the
 * console's session, and get a 403 for everything else. Without {@code auth}, the API is as open as
 * the admin port it listens on (127.0.0.1 by default) and changes are made by {@value ControlApi#ADMIN}.
 */
public final class AdminAccess {

    private static final String CALLER = "cargohold.caller";
    private static final String READER = "cargohold.reader";
    private static final String READER_NAME = "cargohold.reader.name";
    /**
     * What a reader may {@code GET}: repositories, a repository, its images and an image, and the console's
     * session; not a repository's policy (its route is matched first: a name ending in /policy is one).
     */
    private static final Pattern READABLE = Pattern.compile(Pattern.quote(ControlApi.BASE)
            + "/(repositories(/(?!.*/policy$).+)?|console/session)");
    private static final String CHALLENGE = "Basic realm=\"cargohold-admin\"";

    private final Vertx vertx;
    private final Users users;
    private final Set<String> admins;

    private AdminAccess(Vertx vertx, Users users, Set<String> admins) {
        this.vertx = vertx;
        this.users = users;
        this.admins = admins;
    }

    /** The access {@code auth} (null: none) gives. */
    public static AdminAccess of(Vertx vertx, CargoholdConfig.AuthConfig auth) {
        return auth == null ? new AdminAccess(vertx, null, Set.of())
                : new AdminAccess(vertx, new Users(auth.users()), Set.copyOf(auth.admins()));
    }

    /** Checks every request under {@link ControlApi#BASE} of {@code root}; mount it before the API's routes. */
    public void protect(Router root) {
        root.route(ControlApi.BASE + "/*").handler(this::handle);
    }

    /** Who made the request: the admin who logged in, or {@value ControlApi#ADMIN} without {@code auth}. */
    static String caller(RoutingContext ctx) {
        String caller = ctx.get(CALLER);
        return caller == null ? ControlApi.ADMIN : caller;
    }

    /** The user who signed in when they are a reader, not an admin; empty for admins and without {@code auth}. */
    public static Optional<Principal> reader(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(READER));
    }

    /** {@code {"user", "admin"}}: who signed in (null without {@code auth}) and whether they may change things. */
    public static JsonObject session(RoutingContext ctx) {
        String reader = ctx.get(READER_NAME);
        return new JsonObject().put("user", reader != null ? reader : ctx.get(CALLER)).put("admin", reader == null);
    }

    private void handle(RoutingContext ctx) {
        if (users == null) {
            ctx.next();
            return;
        }
        BasicCredentials credentials = BasicCredentials.parse(ctx.request().getHeader("Authorization")).orElse(null);
        if (credentials == null) {
            refuse(ctx, 401, "the control API needs HTTP basic credentials of one of auth.admins");
            return;
        }
        // The body waits while bcrypt runs: the API's body handler reads it once the caller is let through.
        ctx.request().pause();
        vertx.executeBlocking(() -> users.authenticate(credentials.name(), credentials.password()), false)
                .onComplete(checked -> {
                    if (checked.failed() || checked.result().isEmpty()) {
                        refuse(ctx, 401, "invalid user name or password");
                    } else if (!admins.contains(credentials.name())) {
                        // The path the router matches routes with (dot segments removed, unreserved characters
                        // decoded), so /repositories/../rules is not taken for a repository.
                        if (ctx.request().method() == HttpMethod.GET
                                && READABLE.matcher(ctx.normalizedPath()).matches()) {
                            ctx.put(READER, checked.result().get());
                            ctx.put(READER_NAME, credentials.name());
                            ctx.next();
                        } else {
                            refuse(ctx, 403, credentials.name() + " is not one of auth.admins");
                        }
                    } else {
                        ctx.put(CALLER, credentials.name());
                        ctx.next();
                    }
                });
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
        }
        ApiResponses.send(ctx, new ApiException(status, List.of(new FieldError(null, null, message))));
    }
}
