package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.spi.WorkRequests;

/** Work requests on a cluster topic: every member that runs a worker hears them, and it decides whether it acts. */
public final class HazelcastWorkRequests implements WorkRequests {

    public static final String LIFECYCLE_RUN_REQUESTS = "cargohold.lifecycle-run-requests";
    public static final String PIN_WARM_UP_REQUESTS = "cargohold.pin-warm-up-requests";

    private final HazelcastInstance hazelcast;

    public HazelcastWorkRequests(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public void requestLifecycleRun() {
        request(LIFECYCLE_RUN_REQUESTS);
    }

    @Override
    public void onLifecycleRunRequested(Runnable listener) {
        listen(LIFECYCLE_RUN_REQUESTS, listener);
    }

    @Override
    public void requestPinWarmUp() {
        request(PIN_WARM_UP_REQUESTS);
    }

    @Override
    public void onPinWarmUpRequested(Runnable listener) {
        listen(PIN_WARM_UP_REQUESTS, listener);
    }

    private void request(String topic) {
        hazelcast.<String>getTopic(topic).publishAsync(hazelcast.getCluster().getLocalMember().toString());
    }

    private void listen(String topic, Runnable listener) {
        hazelcast.<String>getTopic(topic).addMessageListener(message -> listener.run());
    }
}
