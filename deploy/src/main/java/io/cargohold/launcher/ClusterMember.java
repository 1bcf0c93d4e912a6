package io.cargohold.launcher;

import com.hazelcast.config.Config;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.spi.DocumentStore;

import java.util.List;

/** The Hazelcast member of a node, from {@code cluster} and {@code metadata}. */
final class ClusterMember {

    private ClusterMember() {
    }

    /**
     * One member alone without {@code cluster}, else one joining the listed members or those the
     * Kubernetes Service names; its maps durable in {@code documents}, the metadata maps within
     * {@code metadata.cacheSize}.
     */
    static Config config(CargoholdConfig config, DocumentStore documents) {
        long cacheBytes = config.metadata().cacheBytes();
        CargoholdConfig.ClusterConfig cluster = config.cluster();
        if (cluster == null) {
            return HazelcastMembers.withDurableMaps(HazelcastMembers.standaloneConfig(), documents, cacheBytes);
        }
        String name = cluster.name() == null ? HazelcastMembers.DEFAULT_CLUSTER_NAME : cluster.name();
        int port = cluster.port() == null ? HazelcastMembers.DEFAULT_PORT : cluster.port();
        Config member = cluster.kubernetes() != null
                ? HazelcastMembers.kubernetesConfig(name, port, cluster.kubernetes().serviceDns())
                : HazelcastMembers.clusterConfig(name, cluster.host() == null ? config.http().host() : cluster.host(),
                        port, cluster.members() == null ? List.of() : cluster.members());
        return HazelcastMembers.withDurableMaps(member, documents, cacheBytes);
    }
}
