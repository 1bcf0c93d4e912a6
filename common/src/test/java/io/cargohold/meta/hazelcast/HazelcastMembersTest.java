package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The join settings of each kind of member; joining itself is proven by the cluster tests. */
class HazelcastMembersTest {

    @Test
    void clusterConfig_listedMembers_tcpIpOnlyBoundToTheGivenAddress() {
        Config config = HazelcastMembers.clusterConfig("c", "127.0.0.1", 5801,
                List.of("127.0.0.1:5801", "127.0.0.1:5802"));

        JoinConfig join = config.getNetworkConfig().getJoin();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
        assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
        assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    }

    @Test
    void kubernetesConfig_serviceDns_dnsLookupDiscoveryOnEveryInterface() {
        Config config = HazelcastMembers.kubernetesConfig("c", 5801, "cargohold-hz.cargohold.svc.cluster.local");

        JoinConfig join = config.getNetworkConfig().getJoin();
        assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
        assertThat(join.getKubernetesConfig().getProperty("service-dns"))
                .isEqualTo("cargohold-hz.cargohold.svc.cluster.local");
        assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5801");
        assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
    }
}
