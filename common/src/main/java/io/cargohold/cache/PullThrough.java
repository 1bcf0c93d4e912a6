package io.cargohold.cache;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.cargohold.spi.MetadataStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;

/**
 * The pull-through cache of one process, shared by its edge and its workers: the rules, the
 * creation templates of new repositories, the manifest and blob stores that fetch through them, the upstream's tag
 * lists, and the meters they report to.
 */
public record PullThrough(RuleResolver rules, RepositoryTemplates templates, ProxyManifestStore manifests,
                          ProxyBlobStore blobs, ProxyReferrers referrers, UpstreamTags upstreamTags,
                          MetadataStore metadata, CacheMeters metrics) {

    /** What the cache serves from and reports to; {@code meters} is the process's one registry. */
    public record Dependencies(BlobStore blobStore, MetadataStore metadata, FetchLeases leases,
                               EventPublisher events, Upstreams upstreams, MeterRegistry meters, FillPeers peers) {

        /** No peer reads of other nodes' fills. */
        public Dependencies(BlobStore blobStore, MetadataStore metadata, FetchLeases leases, EventPublisher events,
                            Upstreams upstreams, MeterRegistry meters) {
            this(blobStore, metadata, leases, events, upstreams, meters, FillPeers.none());
        }

        /** Meters kept in a registry of their own. */
        public Dependencies(BlobStore blobStore, MetadataStore metadata, FetchLeases leases, EventPublisher events,
                            Upstreams upstreams) {
            this(blobStore, metadata, leases, events, upstreams, new SimpleMeterRegistry());
        }
    }

    /** {@code clock} ages cached tags (tests move it by hand); {@code node} names this process in events. */
    public static PullThrough create(CargoholdConfig config, Dependencies dependencies, String node, Clock clock) {
        CacheMeters metrics = new CacheMetrics(dependencies.meters());
        Upstreams upstreams = dependencies.upstreams().metered(metrics);
        RepositoryTemplates templates = new RepositoryTemplates();
        ProxyManifestStore manifests = new ProxyManifestStore(dependencies.metadata(), dependencies.blobStore(),
                upstreams, templates, dependencies.leases(), dependencies.events(), node,
                config.limits().maxManifestBytes(), clock, metrics);
        return new PullThrough(new RuleResolver(config.rules(), config.mirror().defaultRule()), templates, manifests,
                new ProxyBlobStore(dependencies.blobStore(), upstreams, dependencies.leases(), dependencies.peers(),
                        dependencies.events(), node, metrics),
                new ProxyReferrers(manifests, dependencies.metadata(), upstreams, config.limits().maxManifestBytes(),
                        clock),
                new UpstreamTags(upstreams, clock), dependencies.metadata(), metrics);
    }
}
