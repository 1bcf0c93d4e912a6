package io.cargohold.coordinator.ecr;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One operation of the ECR API: its output for a call, and how the control API's errors read in its terms. */
record EcrOperation(Handler handler, EcrErrors errors) {

    @FunctionalInterface
    interface Handler {
        Future<JsonObject> handle(EcrCall call);
    }

    /** The output, or a failed future with an {@link EcrException}; never throws. */
    Future<JsonObject> call(EcrCall call) {
        Future<JsonObject> output;
        try {
            output = handler.handle(call);
        } catch (RuntimeException e) {
            output = Future.failedFuture(e);
        }
        return output.recover(failure -> Future.failedFuture(errors.translate(failure)));
    }
}
