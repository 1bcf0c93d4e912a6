package io.cargohold.coordinator.api;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** How every control API route answers: JSON bodies, and one failure handler for every error. */
final class ApiResponses {

    private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);
    private static final String JSON = "application/json";

    private ApiResponses() {
    }

    /** Answers {@code status} with the body the work produces (none for 204), or fails the route. */
    static void reply(RoutingContext ctx, int status, Future<JsonObject> work) {
        work.onSuccess(body -> {
            if (status == 204) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encodePrettily());
            }
        }).onFailure(ctx::fail);
    }

    /** The request body as a JSON object; a 400 naming the body when it is not one. */
    static JsonObject body(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            if (body == null) {
                throw ApiException.invalid("body", null, "must be a JSON object");
            }
            return body;
        } catch (DecodeException | ClassCastException e) {
            throw ApiException.invalid("body", ctx.body().asString(), "must be a JSON object");
        }
    }

    static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        ApiException error;
        if (failure instanceof ApiException api) {
            error = api;
        } else if (failure == null) {
            error = new ApiException(ctx.statusCode(), List.of(new FieldError(null, null,
                    ctx.statusCode() == 404 ? "no such endpoint" : "request failed")));
        } else {
            LOG.warn("control API request {} {} failed", ctx.request().method(), ctx.request().path(), failure);
            error = new ApiException(500, List.of(new FieldError(null, null,
                    "internal error: " + failure.getMessage())));
        }
        send(ctx, error);
    }

    /** Answers {@code error}'s status with {@code {"errors":[{"field","value","message"}]}}. */
    static void send(RoutingContext ctx, ApiException error) {
        ctx.response().setStatusCode(error.status()).putHeader("Content-Type", JSON).end(error.toJson().encode());
    }
}
