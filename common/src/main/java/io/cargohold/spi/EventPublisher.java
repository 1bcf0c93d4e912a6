package io.cargohold.spi;

/** Sends registry events to whoever audits or reacts to them. Never blocks and never fails a pull. */
public interface EventPublisher {

    void publish(RegistryEvent event);
}
