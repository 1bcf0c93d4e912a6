package io.cargohold.lifecycle.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * What the lifecycle worker reports: how long each run took, images expired by policy and evicted by
 * quota, blobs collected.
 */
final class LifecycleMetrics {

    private final MeterRegistry meters;
    private final Counter expired;
    private final Counter blobsDeleted;
    private final Counter bytesDeleted;
    private final Timer runs;

    LifecycleMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.expired = Counter.builder("cargohold.lifecycle.expired")
                .description("images expired by a lifecycle policy rule").register(meters);
        this.blobsDeleted = Counter.builder("cargohold.gc.blobs.deleted")
                .description("unreferenced blobs deleted by garbage collection").register(meters);
        this.bytesDeleted = Counter.builder("cargohold.gc.bytes.deleted")
                .description("bytes of the blobs garbage collection deleted").register(meters);
        this.runs = Timer.builder("cargohold.lifecycle.run")
                .description("lifecycle runs: expiry, quotas and garbage collection").register(meters);
    }

    /** A run ended, having taken {@code took}. */
    void ran(Duration took) {
        runs.record(took);
    }

    void expired() {
        expired.increment();
    }

    /** An image evicted to keep {@code quota} (a rule's prefix, or {@code global}) within its budget. */
    void evicted(String quota, long bytes) {
        Counter.builder("cargohold.lifecycle.evicted").description("images evicted to keep a storage quota")
                .tag("quota", quota).register(meters).increment();
        Counter.builder("cargohold.lifecycle.evicted.bytes").description("bytes of the images evicted for a quota")
                .tag("quota", quota).register(meters).increment(bytes);
    }

    void blobDeleted(long bytes) {
        blobsDeleted.increment();
        bytesDeleted.increment(bytes);
    }
}
