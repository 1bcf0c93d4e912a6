package io.cargohold.coordinator.api;

import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.json.JsonObject;

/**
 * Raises one {@code audit} event per change made through the control API: the event's
 * {@code repository} is the resource ({@code rules/dockerhub}, {@code templates/ROOT}, or a
 * repository's name) and its {@code detail} the JSON {@code {"who","operation","resource","before","after"}}.
 */
public final class AuditLog {

    private final EventPublisher events;
    private final String node;

    public AuditLog(EventPublisher events, String node) {
        this.events = events;
        this.node = node;
    }

    /** {@code before} is null for a creation, {@code after} for a deletion. */
    public void record(String who, String operation, String resource, JsonObject before, JsonObject after) {
        String detail = new JsonObject().put("who", who).put("operation", operation).put("resource", resource)
                .put("before", before).put("after", after).encode();
        events.publish(new RegistryEvent(RegistryEvent.VERSION, RegistryEvent.AUDIT, System.currentTimeMillis(),
                resource, null, null, null, 0, node, detail));
    }
}
