package io.cargohold.lifecycle.worker;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastWorkRequests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Real Hazelcast members in this JVM, joined over TCP-IP on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleLeaderTest {

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<LifecycleLeader> leaders = new ArrayList<>();

    @AfterEach
    void stop() {
        leaders.forEach(LifecycleLeader::close);
        members.forEach(HazelcastInstance::shutdown);
    }

    @Test
    void isLeader_twoWorkerMembers_exactlyTheOldestLeadsAndTheOtherTakesOverWhenItLeaves() {
        startCluster(2);
        LifecycleLeader oldest = register(members.get(0), "refresher-1");
        LifecycleLeader youngest = register(members.get(1), "refresher-2");

        assertThat(oldest.isLeader()).isTrue();
        assertThat(youngest.isLeader()).isFalse();

        members.get(0).shutdown();

        assertThat(youngest.isLeader()).isTrue();
    }

    @Test
    void isLeader_oldestMemberRunsNoWorker_theOldestWorkerLeads() {
        startCluster(3);
        LifecycleLeader second = register(members.get(1), "refresher-1");
        LifecycleLeader third = register(members.get(2), "refresher-2");

        assertThat(second.isLeader()).isTrue();
        assertThat(third.isLeader()).isFalse();
    }

    @Test
    void requestRun_fromAMemberWithoutWorker_reachesEveryWorker() throws InterruptedException {
        startCluster(3);
        CountDownLatch heard = new CountDownLatch(2);
        register(members.get(1), "refresher-1");
        new HazelcastWorkRequests(members.get(1)).onLifecycleRunRequested(heard::countDown);
        register(members.get(2), "refresher-2");
        new HazelcastWorkRequests(members.get(2)).onLifecycleRunRequested(heard::countDown);

        new HazelcastWorkRequests(members.get(0)).requestLifecycleRun();

        assertThat(heard.await(20, TimeUnit.SECONDS)).isTrue();
    }

    private LifecycleLeader register(HazelcastInstance member, String node) {
        LifecycleLeader leader = new LifecycleLeader(member, node);
        leaders.add(leader);
        return leader;
    }

    private void startCluster(int size) {
        String clusterName = "cargohold-leader-" + UUID.randomUUID();
        List<Integer> ports = IntStream.range(0, size).mapToObj(i -> freePort()).toList();
        List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
        for (int port : ports) {
            Config config = HazelcastMembers.clusterConfig(clusterName, port, addresses);
            config.setProperty("hazelcast.wait.seconds.before.join", "0");
            members.add(HazelcastMembers.start(config));
        }
        assertThat(members.get(size - 1).getCluster().getMembers()).hasSize(size);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
