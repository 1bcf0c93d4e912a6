package io.cargohold.coordinator.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One page of a list, and the token of the next page (null on the last). */
public record Page<T>(List<T> items, String nextToken) {

    public <U> Page<U> map(Function<? super T, ? extends U> convert) {
        return new Page<>(items.stream().<U>map(convert).toList(), nextToken);
    }

    /** {@code {"<field>": [items], "nextToken": ...}}, the token only when there is a next page. */
    public JsonObject toJson(String field) {
        JsonObject json = new JsonObject().put(field, new JsonArray(new ArrayList<>(items)));
        if (nextToken != null) {
            json.put(PageRequest.NEXT_TOKEN, nextToken);
        }
        return json;
    }
}
