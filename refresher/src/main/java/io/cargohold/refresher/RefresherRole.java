package io.cargohold.refresher;

import io.cargohold.lifecycle.worker.LifecycleLeader;
import io.cargohold.lifecycle.worker.LifecycleTrigger;
import io.cargohold.lifecycle.worker.LifecycleWorker;
import io.cargohold.meta.hazelcast.HazelcastPins;
import io.cargohold.meta.hazelcast.HazelcastWorkRequests;
import io.cargohold.node.NodeParts;
import io.cargohold.node.StartedParts;
import io.cargohold.spi.WorkRequests;

import java.time.Clock;

/**
 * The workers of a process: the refresher (prefetch and tag re-checks) and the lifecycle trigger on the
 * event feed, and this member's lifecycle worker and pin warmer, which run while it leads the cluster's workers.
 * Blocking: start and close it off the event loop.
 */
public final class RefresherRole implements AutoCloseable {

    private final StartedParts started = new StartedParts();

    private RefresherRole() {
    }

    public static RefresherRole start(NodeParts parts) {
        RefresherRole role = new RefresherRole();
        try {
            role.startParts(parts);
            return role;
        } catch (RuntimeException e) {
            role.close();
            throw e;
        }
    }

    private void startParts(NodeParts parts) {
        Clock clock = Clock.systemUTC();
        WorkRequests requests = new HazelcastWorkRequests(parts.hazelcast());
        RefresherWorker refresher = new RefresherWorker(parts.cache(), parts.metadata(), clock);
        LifecycleTrigger trigger = LifecycleTrigger.of(requests, parts.metadata(), parts.config().lifecycle(),
                parts.cache().rules()::rules, clock);
        started.add(parts.feed().feed(event -> refresher.handle(event).compose(v -> trigger.handle(event))));
        HazelcastPins pins = new HazelcastPins(parts.vertx(), parts.hazelcast());
        LifecycleWorker lifecycle = new LifecycleWorker(parts.metadata(), pins, parts.blobs(), parts.events(),
                parts.meters(), parts.config().lifecycle(), parts.cache().rules()::rules, parts.name(), clock);
        LifecycleLeader leader = started.add(new LifecycleLeader(parts.hazelcast(), parts.name()));
        long timer = lifecycle.schedule(parts.vertx(), leader, requests);
        started.add(() -> parts.vertx().cancelTimer(timer));
        long warmTimer = new PinWarmer(pins, parts.cache(), clock).schedule(parts.vertx(), leader, requests,
                PinWarmer.INTERVAL);
        started.add(() -> parts.vertx().cancelTimer(warmTimer));
    }

    @Override
    public void close() {
        started.close();
    }
}
