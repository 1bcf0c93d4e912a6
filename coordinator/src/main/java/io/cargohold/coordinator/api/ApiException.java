package io.cargohold.coordinator.api;

import io.cargohold.config.ConfigException;
import io.cargohold.policy.PolicyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A control API request that cannot be carried out, answered with {@code status} and
 * {@code {"errors":[{"field","value","message"}]}}: 400 invalid, 404 unknown resource, 409 conflict.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final List<FieldError> errors;

    public ApiException(int status, List<FieldError> errors) {
        super(errors.isEmpty() ? "status " + status : errors.get(0).message());
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public static ApiException invalid(String field, Object value, String message) {
        return new ApiException(400, List.of(new FieldError(field, value == null ? null : value.toString(), message)));
    }

    /** A config check's failure as a 400 naming its key, value and constraint. */
    public static ApiException invalid(ConfigException e) {
        return new ApiException(400, List.of(new FieldError(e.key(), e.value(), e.constraint())));
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, List.of(new FieldError(null, null, message)));
    }

    /** A 404 naming the field whose value names nothing. */
    public static ApiException notFound(String field, Object value, String message) {
        return new ApiException(404, List.of(new FieldError(field, value == null ? null : value.toString(), message)));
    }

    /**
     * A policy's problem as a 400: its message is {@code <path>: '<value>' <rule>}, the path becomes the
     * field (under {@code prefix}) and the quoted value the value.
     */
    public static ApiException fromPolicy(String prefix, PolicyException e) {
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
        return new ApiException(400, List.of(new FieldError(field.isEmpty() ? "policy" : field, value, message)));
    }

    public static ApiException conflict(String field, Object value, String message) {
        return new ApiException(409, List.of(new FieldError(field, value == null ? null : value.toString(), message)));
    }

    public int status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** {@code {"errors":[{"field","value","message"}]}}. */
    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        errors.forEach(error -> list.add(error.toJson()));
        return new JsonObject().put("errors", list);
    }
}
