package io.cargohold.coordinator.ecr;

import io.cargohold.policy.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One ECR API request being served: the operation, who asks (a user of {@code auth.users}, or the admin without
 * {@code auth}), whether they are one of {@code auth.admins}, and the request's members, read with the type the
 * service model gives them.
 */
record EcrCall(String operation, String who, Principal principal, boolean admin, JsonObject input, Instant now) {

    /** A string member, or null when absent. */
    String string(String member) {
        Object value = input.getValue(member);
        if (value != null && !(value instanceof String)) {
            throw EcrException.invalid(member, value, "must be a string");
        }
        return (String) value;
    }

    String required(String member) {
        String value = string(member);
        if (value == null || value.isEmpty()) {
            throw EcrException.invalid(member, null, "is required");
        }
        return value;
    }

    /** A list of strings, or null when absent. */
    List<String> strings(String member) {
        JsonArray array = array(member);
        if (array == null) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String text)) {
                throw EcrException.invalid(member + "[" + i + "]", array.getValue(i), "must be a string");
            }
            values.add(text);
        }
        return values;
    }

    /** A list member, or null when absent. */
    JsonArray array(String member) {
        Object value = input.getValue(member);
        if (value != null && !(value instanceof JsonArray)) {
            throw EcrException.invalid(member, value, "must be a list");
        }
        return (JsonArray) value;
    }

    /** A structure member, or null when absent. */
    JsonObject object(String member) {
        Object value = input.getValue(member);
        if (value != null && !(value instanceof JsonObject)) {
            throw EcrException.invalid(member, value, "must be a structure");
        }
        return (JsonObject) value;
    }

    Object maxResults() {
        return input.getValue("maxResults");
    }

    String nextToken() {
        return string("nextToken");
    }
}
