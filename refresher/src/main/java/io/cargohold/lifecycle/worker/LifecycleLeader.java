package io.cargohold.lifecycle.worker;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.Set;

/**
 * Elects the one member that runs the lifecycle worker, and carries requests for a run to it. The
 * leader is, of the members that run a worker (registered in a shared map), the oldest in the
 * cluster: every member sees the same member list, in join order, so they agree without a lock, and
 * when the leader leaves, the next oldest worker leads from its next check on. Registrations of
 * members that left are ignored. Requests for a run ({@link io.cargohold.spi.WorkRequests}) reach every
 * worker; only the leader acts on them. Blocking: call off the event loop.
 */
public final class LifecycleLeader implements AutoCloseable {

    public static final String RUNNERS = "cargohold.lifecycle-runners";

    private final HazelcastInstance hazelcast;
    private final IMap<String, String> runners;
    private final String self;

    /** Registers this member as one that runs a worker; {@code node} names it for operators. */
    public LifecycleLeader(HazelcastInstance hazelcast, String node) {
        this.hazelcast = hazelcast;
        this.runners = hazelcast.getMap(RUNNERS);
        this.self = hazelcast.getCluster().getLocalMember().getUuid().toString();
        runners.put(self, node);
    }

    public boolean isLeader() {
        Set<String> registered = runners.keySet();
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (registered.contains(member.getUuid().toString())) {
                return member.localMember();
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (hazelcast.getLifecycleService().isRunning()) {
            runners.remove(self);
        }
    }
}
