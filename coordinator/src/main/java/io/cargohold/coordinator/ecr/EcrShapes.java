package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.PageRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Values as the awsJson 1.1 protocol writes them. */
final class EcrShapes {

    private EcrShapes() {
    }

    /** A timestamp: epoch seconds, with the milliseconds as a fraction; null stays null. */
    static Double epochSeconds(String isoInstant) {
        return isoInstant == null ? null : epochSeconds(Instant.parse(isoInstant));
    }

    static Double epochSeconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    /** A control API page as an ECR one: its items converted under {@code to}, and its token. */
    static JsonObject paged(JsonObject listed, String from, String to, Function<JsonObject, JsonObject> convert) {
        List<Object> items = new ArrayList<>();
        listed.getJsonArray(from).forEach(item -> items.add(convert.apply((JsonObject) item)));
        JsonObject output = new JsonObject().put(to, new JsonArray(items));
        if (listed.containsKey(PageRequest.NEXT_TOKEN)) {
            output.put("nextToken", listed.getString(PageRequest.NEXT_TOKEN));
        }
        return output;
    }

    /** The members that have values: awsJson leaves absent members out. */
    static JsonObject withoutNulls(JsonObject json) {
        JsonObject copy = new JsonObject();
        json.forEach(entry -> {
            if (entry.getValue() != null) {
                copy.put(entry.getKey(), entry.getValue());
            }
        });
        return copy;
    }
}
