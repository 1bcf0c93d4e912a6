package io.cargohold.node;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.cache.PullThrough;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventFeed;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.MetadataStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * What one process shares between its roles, started before any of them: its Vert.x instance, its
 * Hazelcast member, storage, events (published and fed to workers), its one meter registry, and the
 * pull-through cache every role reads and fetches through. {@code name} names the process in events
 * and on the console.
 */
public record NodeParts(CargoholdConfig config, Vertx vertx, HazelcastInstance hazelcast, BlobStore blobs,
                        MetadataStore metadata, EventPublisher events, EventFeed feed, MeterRegistry meters,
                        PullThrough cache, String name) {
}
