package io.cargohold.edge;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** A whole response of the registry API, as a client received it. */
public record RegistryResponse(int status, MultiMap headers, Buffer body) {

    public String header(String name) {
        return headers.get(name);
    }

    public byte[] bytes() {
        return body.getBytes();
    }

    public JsonObject json() {
        return new JsonObject(body);
    }

    @Override
    public String toString() {
        String text = body.length() > 2000 ? body.getString(0, 2000) + "..." : body.toString();
        return status + " " + headers.entries() + " " + text;
    }
}
