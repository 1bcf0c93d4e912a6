package io.cargohold.lifecycle.worker;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CacheRule;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastWorkRequests;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.testkit.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event-driven lifecycle runs on a real Hazelcast member: an {@code image-cached} event asks the
 * leader for a run (a message on its topic) when a quota is set or the repository has a policy,
 * not more than once per spacing, and never for other events or repositories without a policy.
 */
class LifecycleTriggerTest {

    private static final String POLICY = """
            {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
              "countNumber": 5}, "action": {"type": "expire"}}]}""";

    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = MutableClock.now();
    private final AtomicInteger requests = new AtomicInteger();
    private HazelcastInstance hazelcast;
    private MetadataStore metadata;

    @BeforeEach
    void start() {
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        metadata = new HazelcastMetadataStore(vertx, hazelcast);
        new HazelcastWorkRequests(hazelcast).onLifecycleRunRequested(requests::incrementAndGet);
        await(metadata.createRepositoryIfAbsent(new Repository("up/pruned", "up", "http://127.0.0.1:1", "pruned", 1)
                .withSettings(RepositorySettings.DEFAULTS.withLifecyclePolicy(POLICY))));
        await(metadata.createRepositoryIfAbsent(new Repository("up/kept", "up", "http://127.0.0.1:1", "kept", 1)));
    }

    @AfterEach
    void stop() {
        hazelcast.shutdown();
        await(vertx.close());
    }

    @Test
    void imageCached_inARepositoryWithAPolicy_requestsOneRunPerSpacing() {
        LifecycleTrigger trigger = LifecycleTrigger.of(new HazelcastWorkRequests(hazelcast), metadata, LifecycleConfig.DEFAULT, List::of, clock);

        await(trigger.handle(cached("up/pruned")));
        await(trigger.handle(cached("up/pruned")));
        awaitRequests(1);
        clock.advance(LifecycleTrigger.MIN_SPACING);
        await(trigger.handle(cached("up/pruned")));

        awaitRequests(2);
    }

    @Test
    void imageCached_withoutPolicyOrQuota_orAnotherEvent_requestsNothing() {
        LifecycleTrigger trigger = LifecycleTrigger.of(new HazelcastWorkRequests(hazelcast), metadata, LifecycleConfig.DEFAULT, List::of, clock);

        await(trigger.handle(cached("up/kept")));
        await(trigger.handle(RegistryEvent.of(RegistryEvent.PULL, "up/pruned", "1", "sha256:" + "a".repeat(64),
                null, -1, "test")));
        // a request, had one been made, is delivered well within this
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));

        assertThat(requests.get()).isZero();
    }

    @Test
    void imageCached_withARuleQuota_requestsARunForAnyRepository() {
        CacheRule rule = new CacheRule("up", "http://127.0.0.1:1", null, null, null, null, null, null, "1GiB");
        LifecycleTrigger trigger = LifecycleTrigger.of(new HazelcastWorkRequests(hazelcast), metadata, LifecycleConfig.DEFAULT,
                () -> List.of(rule), clock);

        await(trigger.handle(cached("up/kept")));

        awaitRequests(1);
    }

    private static RegistryEvent cached(String repository) {
        return RegistryEvent.of(RegistryEvent.IMAGE_CACHED, repository, "1", "sha256:" + "b".repeat(64),
                "application/vnd.oci.image.manifest.v1+json", 100, "test");
    }

    private void awaitRequests(int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.get() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(requests.get()).isEqualTo(expected);
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
