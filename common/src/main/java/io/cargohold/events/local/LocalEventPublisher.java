package io.cargohold.events.local;

import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each event as a JSON object on the Vert.x event bus, to consumers in this process only
 * (address {@value #ADDRESS}). Never blocks; a failure to publish is logged, never thrown.
 */
public final class LocalEventPublisher implements EventPublisher {

    public static final String ADDRESS = "cargohold.events";

    private static final Logger LOG = LoggerFactory.getLogger(LocalEventPublisher.class);
    private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

    private final Vertx vertx;
    private final String address;

    public LocalEventPublisher(Vertx vertx) {
        this(vertx, ADDRESS);
    }

    public LocalEventPublisher(Vertx vertx, String address) {
        this.vertx = vertx;
        this.address = address;
    }

    @Override
    public void publish(RegistryEvent event) {
        try {
            vertx.eventBus().publish(address, event.toJson(), LOCAL_ONLY);
        } catch (RuntimeException e) {
            LOG.warn("could not publish {} event for {}: {}", event.type(), event.repository(), e.toString());
        }
    }
}
