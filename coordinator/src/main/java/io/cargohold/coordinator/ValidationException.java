package io.cargohold.coordinator;

import io.cargohold.policy.PolicyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A control API request that cannot be carried out as asked, answered with its status and
 * {@code {"errors":[{"field", "value", "message"}]}}: 400 for a value that breaks a rule, 404 for what does not
 * exist.
 */
final class ValidationException extends RuntimeException {

    private final int status;
    private final String field;
    private final String value;

    ValidationException(int status, String field, String value, String message) {
        super(message);
        this.status = status;
        this.field = field;
        this.value = value;
    }

    static ValidationException invalid(String field, String value, String message) {
        return new ValidationException(400, field, value, message);
    }

    static ValidationException notFound(String field, String value, String message) {
        return new ValidationException(404, field, value, message);
    }

    /**
     * A policy problem, whose message is {@code <path>: '<value>' <rule>}: the path becomes the field (under
     * {@code prefix}), the quoted value the value.
     */
    static ValidationException fromPolicy(String prefix, PolicyException e) {
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        String path = colon < 0 ? "" : message.substring(0, colon);
        String rest = colon < 0 ? message : message.substring(colon + 2);
        String value = null;
        if (rest.startsWith("'")) {
            int close = rest.indexOf("' ", 1);
            if (close > 0) {
                value = rest.substring(1, close);
            }
        }
        String field = path.equals("policy") || path.isEmpty() ? prefix
                : prefix.isEmpty() ? path : prefix + "." + path;
        return new ValidationException(400, field.isEmpty() ? "policy" : field, value, message);
    }

    int status() {
        return status;
    }

    JsonObject toBody() {
        return new JsonObject().put("errors", new JsonArray().add(new JsonObject().put("field", field)
                .put("value", value).put("message", getMessage())));
    }
}
