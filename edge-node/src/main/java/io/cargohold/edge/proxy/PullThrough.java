package io.cargohold.edge.proxy;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.cargohold.spi.MetadataStore;

import java.time.Clock;

/**
 * The pull-through cache of one process, shared by its edge and its workers: the rules, and the
 * manifest and blob stores that fetch through them.
 */
public record PullThrough(RuleResolver rules, ProxyManifestStore manifests, ProxyBlobStore blobs,
                          MetadataStore metadata) {

    /** What the cache serves from and reports to. */
    public record Dependencies(BlobStore blobStore, MetadataStore metadata, FetchLeases leases,
                               EventPublisher events, Upstreams upstreams) {
    }

    /** {@code clock} ages cached tags (tests move it by hand); {@code node} names this process in events. */
    public static PullThrough create(CargoholdConfig config, Dependencies dependencies, String node, Clock clock) {
        return new PullThrough(new RuleResolver(config.rules()),
                new ProxyManifestStore(dependencies.metadata(), dependencies.blobStore(), dependencies.upstreams(),
                        dependencies.leases(), dependencies.events(), node, config.limits().maxManifestBytes(), clock),
                new ProxyBlobStore(dependencies.blobStore(), dependencies.upstreams(), dependencies.leases(),
                        dependencies.events(), node),
                dependencies.metadata());
    }
}
