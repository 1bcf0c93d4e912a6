package io.cargohold.meta.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Predicate;

/**
 * A record as a JSON object of its components, with Jackson: {@code byte[]} components are base64
 * strings. Unknown properties are ignored and missing ones take their defaults, so a document
 * written by a newer or older version still reads; a document missing what identifies the record
 * (a format this version does not know) fails to decode.
 */
public final class JsonDocumentCodec<V> implements DocumentCodec<V> {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Class<V> type;
    private final Predicate<V> complete;

    private JsonDocumentCodec(Class<V> type, Predicate<V> complete) {
        this.type = type;
        this.complete = complete;
    }

    public static <V> JsonDocumentCodec<V> of(Class<V> type) {
        return new JsonDocumentCodec<>(type, value -> true);
    }

    /** A codec that refuses a decoded value {@code complete} rejects: one missing required fields. */
    public static <V> JsonDocumentCodec<V> of(Class<V> type, Predicate<V> complete) {
        return new JsonDocumentCodec<>(type, complete);
    }

    @Override
    public byte[] encode(V value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("encoding " + type.getSimpleName() + " as JSON failed: "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public V decode(byte[] document) {
        try {
            V value = MAPPER.readValue(document, type);
            if (value == null) {
                throw new IllegalArgumentException("decoding " + type.getSimpleName() + " failed: document is null");
            }
            if (!complete.test(value)) {
                throw new IllegalArgumentException("decoding " + type.getSimpleName()
                        + " failed: required fields missing (a format this version does not know?)");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("decoding " + type.getSimpleName() + " from JSON failed: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
