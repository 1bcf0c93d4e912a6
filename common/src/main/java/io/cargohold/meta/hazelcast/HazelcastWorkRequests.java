package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.spi.WorkRequests;

/** Work requests on a cluster topic: every member that runs a worker hears them, and it decides whether it acts. */
public final class HazelcastWorkRequests implements WorkRequests {

    public static final String LIFECYCLE_RUN_REQUESTS = "cargohold.lifecycle-run-requests";

    private final HazelcastInstance hazelcast;

    public HazelcastWorkRequests(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public void requestLifecycleRun() {
        hazelcast.<String>getTopic(LIFECYCLE_RUN_REQUESTS)
                .publishAsync(hazelcast.getCluster().getLocalMember().toString());
    }

    @Override
    public void onLifecycleRunRequested(Runnable listener) {
        hazelcast.<String>getTopic(LIFECYCLE_RUN_REQUESTS).addMessageListener(message -> listener.run());
    }
}
