package io.cargohold.coordinator.api;

import io.vertx.core.json.JsonObject;

/** One problem with a request: the field at fault (null when none), its value as sent, what it broke. */
public record FieldError(String field, String value, String message) {

    public JsonObject toJson() {
        return new JsonObject().put("field", field).put("value", value).put("message", message);
    }
}
