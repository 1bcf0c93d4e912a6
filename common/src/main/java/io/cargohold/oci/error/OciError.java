package io.cargohold.oci.error;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One entry of the spec's {@code {"errors":[...]}} body. */
public record OciError(OciErrorCode code, String message, Object detail) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("code", code.name()).put("message", message);
        if (detail != null) {
            json.put("detail", detail);
        }
        return json;
    }

    /** The whole error body for this one error. */
    public String toBody() {
        return new JsonObject().put("errors", new JsonArray().add(toJson())).encode();
    }
}
