package io.cargohold.meta.hazelcast;

import io.cargohold.store.memory.MemoryDocumentStore;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.meta.json.MetadataDocuments;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry-wide documents on two real members over one document store: one token key and one registry policy
 * for the whole cluster, written through to the store, and loaded again by a new cluster.
 */
class HazelcastRegistryDocumentsTest {

    private static final String POLICY = "{\"Version\": \"2012-10-17\", \"Statement\": []}";

    @Test
    void tokenKeyAndRegistryPolicy_sharedByMembersAndKeptAcrossAClusterRestart() throws Exception {
        MemoryDocumentStore documents = new MemoryDocumentStore();
        List<HazelcastInstance> members = startCluster(documents);
        String key;
        try {
            HazelcastRegistryDocuments first = new HazelcastRegistryDocuments(members.get(0));
            HazelcastRegistryDocuments second = new HazelcastRegistryDocuments(members.get(1));

            key = first.sharedTokenKey();
            assertThat(second.sharedTokenKey()).isEqualTo(key);
            assertThat(key).hasSizeGreaterThanOrEqualTo(32);

            assertThat(first.seedRegistryPolicy(POLICY)).isTrue();
            assertThat(second.seedRegistryPolicy("{}")).isFalse();
            assertThat(await(second.registryPolicy())).contains(POLICY);
            assertThat(documents.get(MetadataDocuments.REGISTRY_PREFIX + "registry-policy"))
                    .map(bytes -> new String(bytes, StandardCharsets.UTF_8)).contains(POLICY);

            assertThat(await(second.putRegistryPolicy("{\"v\": 2}"))).contains(POLICY);
            assertThat(await(first.deleteRegistryPolicy())).contains("{\"v\": 2}");
            assertThat(await(second.registryPolicy())).isEmpty();
            assertThat(await(first.putRegistryPolicy(POLICY))).isEmpty();
        } finally {
            members.forEach(HazelcastInstance::shutdown);
        }

        List<HazelcastInstance> restarted = startCluster(documents);
        try {
            HazelcastRegistryDocuments again = new HazelcastRegistryDocuments(restarted.get(1));
            assertThat(again.sharedTokenKey()).isEqualTo(key);
            assertThat(await(again.registryPolicy())).contains(POLICY);
        } finally {
            restarted.forEach(HazelcastInstance::shutdown);
        }
    }

    private static List<HazelcastInstance> startCluster(MemoryDocumentStore documents) {
        String clusterName = "cargohold-test-" + UUID.randomUUID();
        List<Integer> ports = IntStream.range(0, 2).mapToObj(i -> freePort()).toList();
        List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        List<HazelcastInstance> members = new ArrayList<>();
        for (int port : ports) {
            Config config = HazelcastMembers.withDurableMaps(HazelcastMembers.clusterConfig(clusterName, port,
                    addresses), documents);
            config.setProperty("hazelcast.wait.seconds.before.join", "0");
            members.add(HazelcastMembers.start(config));
        }
        return members;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
