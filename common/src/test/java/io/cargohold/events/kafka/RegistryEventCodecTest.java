package io.cargohold.events.kafka;

import io.cargohold.events.kafka.RegistryEventCodec.MalformedEventException;
import io.cargohold.spi.RegistryEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryEventCodecTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void decode_encodedEvent_roundTrips() {
        RegistryEvent event = RegistryEvent.of(RegistryEvent.PULL, "up/library/app", "1", DIGEST,
                "application/vnd.oci.image.manifest.v1+json", 512, "edge-1");

        assertThat(RegistryEventCodec.decode(RegistryEventCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void roundTrip_upstreamError_keepsTheDetail() {
        RegistryEvent event = RegistryEvent.upstreamError("up/library/app", "1", null,
                "fetching manifest up/library/app:1 from 127.0.0.1:9 failed: connection refused", "edge-1");

        assertThat(RegistryEventCodec.decode(RegistryEventCodec.encode(event))).isEqualTo(event);
        assertThat(event.type()).isEqualTo(RegistryEvent.UPSTREAM_ERROR);
    }

    @Test
    void encode_event_isVersionedJsonWithEveryField() {
        RegistryEvent event = new RegistryEvent(1, RegistryEvent.CACHE_MISS, 1700000000000L, "up/library/app", null,
                DIGEST, null, 0, "edge-1", null);

        String json = new String(RegistryEventCodec.encode(event), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"version\":1,\"type\":\"cache-miss\",\"timeMillis\":1700000000000,"
                + "\"repository\":\"up/library/app\",\"tag\":null,\"digest\":\"" + DIGEST + "\",\"mediaType\":null,"
                + "\"size\":0,\"node\":\"edge-1\",\"detail\":null}");
    }

    @Test
    void decode_unknownFieldsAndMissingOptionalFields_tolerated() {
        byte[] value = "{\"version\":1,\"type\":\"audit\",\"repository\":\"up/x\",\"addedLater\":{\"a\":1}}"
                .getBytes(StandardCharsets.UTF_8);

        RegistryEvent event = RegistryEventCodec.decode(value);

        assertThat(event).isEqualTo(new RegistryEvent(1, "audit", 0, "up/x", null, null, null, 0, null, null));
    }

    @Test
    void decode_notJsonOrUnknownVersionOrNoRepository_rejected() {
        assertThatThrownBy(() -> decode("not json")).isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> decode("[1,2]")).isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> decode("{\"version\":2,\"type\":\"pull\",\"repository\":\"r\"}"))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> decode("{\"type\":\"pull\",\"repository\":\"r\"}"))
                .isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> decode("{\"version\":1,\"type\":\"pull\"}"))
                .isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> decode("{\"version\":\"one\",\"type\":\"pull\",\"repository\":\"r\"}"))
                .isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> RegistryEventCodec.decode(null)).isInstanceOf(MalformedEventException.class);
    }

    private static RegistryEvent decode(String value) {
        return RegistryEventCodec.decode(value.getBytes(StandardCharsets.UTF_8));
    }
}
