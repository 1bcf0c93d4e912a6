package io.cargohold.lifecycle.worker;

/** What one lifecycle run did: images expired by policy, evicted by quota, and blobs collected. */
public record LifecycleRunReport(int expired, int evicted, int blobsDeleted, long bytesDeleted) {
}
