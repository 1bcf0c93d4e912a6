package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.ApiException;
import io.cargohold.coordinator.api.FieldError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How the control API's errors read in an operation's terms: its 400s are {@code InvalidParameterException}s,
 * its 404s and 409s the operation's shapes, and every field is named as the ECR request names it
 * ({@code rules.prefix} is {@code ecrRepositoryPrefix}), with the value sent.
 *
 * @param field    the ECR member of a control API field
 * @param notFound the shape of a 404 (which can depend on what was missing)
 * @param conflict the shape of a 409
 * @param subject  the member a 404 or 409 without a field is about
 */
record EcrErrors(Function<String, String> field, Function<FieldError, String> notFound, String conflict,
                 String subject) {

    private static final Logger LOG = LoggerFactory.getLogger(EcrErrors.class);

    /** Errors of an operation whose 404s are all {@code notFound}. */
    static EcrErrors of(Function<String, String> field, String notFound, String conflict, String subject) {
        return new EcrErrors(field, error -> notFound, conflict, subject);
    }

    EcrException translate(Throwable failure) {
        if (failure instanceof EcrException ecr) {
            return ecr;
        }
        if (failure instanceof ApiException api) {
            String message = api.errors().stream().map(this::describe).collect(Collectors.joining("; "));
            String shape = switch (api.status()) {
                case 400 -> EcrException.INVALID_PARAMETER;
                case 404 -> api.errors().isEmpty() ? EcrException.INVALID_PARAMETER : notFound.apply(api.errors().get(0));
                case 409 -> conflict;
                default -> EcrException.SERVER;
            };
            return new EcrException(shape, message);
        }
        LOG.warn("ECR API request failed", failure);
        return new EcrException(EcrException.SERVER, "internal error: " + failure.getMessage());
    }

    private String describe(FieldError error) {
        if (error.field() == null) {
            return subject + ": " + error.message();
        }
        return EcrException.describe(field.apply(error.field()), error.value(), error.message());
    }
}
