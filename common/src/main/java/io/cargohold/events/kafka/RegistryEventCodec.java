package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the wire form of a {@link RegistryEvent}: its versioned JSON object in UTF-8
 * (see {@code docs/events.md}). Decoding is tolerant of fields it does not know, so producers may
 * add optional fields within a version; it rejects versions it does not know.
 */
public final class RegistryEventCodec {

    private RegistryEventCodec() {
    }

    /** Thrown for a record that is not a version-{@value RegistryEvent#VERSION} event. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }

    public static byte[] encode(RegistryEvent event) {
        return event.toJson().encode().getBytes(StandardCharsets.UTF_8);
    }

    public static RegistryEvent decode(byte[] value) {
        if (value == null) {
            throw new MalformedEventException("empty record value");
        }
        JsonObject json;
        try {
            json = new JsonObject(new String(value, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new MalformedEventException("not a JSON object: " + e.getMessage());
        }
        try {
            Integer version = json.getInteger("version");
            if (version == null || version != RegistryEvent.VERSION) {
                throw new MalformedEventException("unsupported event version " + version + " (this reader knows "
                        + RegistryEvent.VERSION + ")");
            }
            String type = json.getString("type");
            String repository = json.getString("repository");
            if (type == null || type.isBlank() || repository == null || repository.isBlank()) {
                throw new MalformedEventException("event without type or repository");
            }
            return new RegistryEvent(version, type, json.getLong("timeMillis", 0L), repository,
                    json.getString("tag"), json.getString("digest"), json.getString("mediaType"),
                    json.getLong("size", 0L), json.getString("node"), json.getString("detail"));
        } catch (ClassCastException e) {
            throw new MalformedEventException("field of the wrong type: " + e.getMessage());
        }
    }
}
