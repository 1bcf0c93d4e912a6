package io.cargohold.lifecycle.worker;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CacheRule;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.lifecycle.QuotaPlanner;
import io.cargohold.lifecycle.StoredImage;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastWorkRequests;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinReader;
import io.cargohold.pin.PinnedImage;
import io.cargohold.pin.PinnedManifests;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.testkit.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static io.cargohold.lifecycle.worker.LifecycleStorageTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker over a real filesystem store and Hazelcast member: policies expire what they select
 * but spare images pulled lately; quotas evict the least recently pulled images first, and say so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleWorkerTest {

    private static final long MINUTE = 60_000L;
    /** Each image is about 2.4 KB: a 1001-byte layer, a config of about 1010 bytes and its manifest. */
    private static final String LAYER = "x".repeat(1000);

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final MutableClock clock = MutableClock.now();
    private HazelcastInstance hazelcast;
    private MetadataStore metadata;
    private CacheFixture cache;
    private FileSystemBlobStore blobs;

    @BeforeEach
    void start() {
        blobs = new FileSystemBlobStore(vertx, dir);
        await(blobs.initialize());
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        metadata = new HazelcastMetadataStore(vertx, hazelcast);
        cache = new CacheFixture(blobs, metadata);
        vertx.eventBus().<JsonObject>localConsumer(LocalEventPublisher.ADDRESS,
                message -> events.add(RegistryEvent.fromJson(message.body())));
    }

    @AfterEach
    void stop() {
        hazelcast.shutdown();
        await(vertx.close());
    }

    @Test
    void run_policyExpiry_deletesTagsAndManifestsButSparesAnImagePulledWithinThePullGrace() {
        long now = clock.millis();
        String keepNewest = """
                {"rules": [{"rulePriority": 1, "description": "Keep only the newest tagged image of the repository",
                  "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan",
                                "countNumber": 1},
                  "action": {"type": "expire"}}]}""";
        on(() -> cache.repository("up/app", "up", keepNewest));
        ManifestRecord pulledNow = on(() -> cache.image("up/app", "1", now - 300 * MINUTE, now - 2 * MINUTE, "a"));
        ManifestRecord idle = on(() -> cache.image("up/app", "2", now - 200 * MINUTE, now - 200 * MINUTE, "b"));
        ManifestRecord newest = on(() -> cache.image("up/app", "3", now - 100 * MINUTE, now - 100 * MINUTE, "c"));
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, Duration.ofHours(1), Duration.ofMinutes(15), null), List::of, "test", clock);

        LifecycleRunReport report = on(worker::run);

        assertThat(report.expired()).isEqualTo(1);
        assertThat(on(() -> metadata.tags("up/app"))).containsExactly("1", "3");
        assertThat(on(() -> metadata.manifests("up/app"))).extracting(ManifestRecord::digest)
                .containsExactlyInAnyOrder(pulledNow.digest(), newest.digest());
        assertThat(meters.counter("cargohold.lifecycle.expired").count()).isEqualTo(1);
        RegistryEvent event = awaitEvents(1).get(0);
        assertThat(event.digest()).isEqualTo(idle.digest());
        assertThat(event.tag()).isEqualTo("2");
        assertThat(event.detail()).startsWith("rule 1 (imageCountMoreThan 1): 2nd newest of 3");
    }

    @Test
    void run_pinnedImage_neitherExpiredByPolicyNorEvictedByQuota() {
        long now = clock.millis();
        String keepNewest = """
                {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                  "countNumber": 1}, "action": {"type": "expire"}}]}""";
        on(() -> cache.repository("up/app", "up", keepNewest));
        ManifestRecord pinned = on(() -> cache.image("up/app", "1", now - 300 * MINUTE, now - 300 * MINUTE,
                LAYER + 1));
        ManifestRecord older = on(() -> cache.image("up/app", "2", now - 400 * MINUTE, now - 400 * MINUTE,
                LAYER + 2));
        on(() -> cache.image("up/app", "3", now - 100 * MINUTE, now - 100 * MINUTE, LAYER + 3));
        Pin pin = Pin.of(PinnedImage.parse("up/app:1"), Pin.API, clock.instant(), "test")
                .resolved(pinned.digest(), List.of(), 0);
        PinReader pins = () -> Future.succeededFuture(PinnedManifests.of(List.of(pin)));
        LifecycleWorker worker = new LifecycleWorker(metadata, pins, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, Duration.ofHours(1), Duration.ofMinutes(15), "1000"), List::of, "test",
                clock);

        LifecycleRunReport report = on(worker::run);

        assertThat(report.expired() + report.evicted()).isEqualTo(2);
        assertThat(on(() -> metadata.manifests("up/app"))).extracting(ManifestRecord::digest)
                .containsExactly(pinned.digest())
                .doesNotContain(older.digest());
        assertThat(on(() -> metadata.tags("up/app"))).containsExactly("1");
    }

    @Test
    void schedule_runRequestedThroughTheCluster_theLeaderRuns() {
        long now = clock.millis();
        on(() -> cache.repository("up/app", "up", null));
        ManifestRecord image = on(() -> cache.image("up/app", "1", now - 100 * MINUTE, now - 100 * MINUTE, LAYER));
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(15), "1000"),
                List::of, "test", clock);
        LifecycleLeader leader = new LifecycleLeader(hazelcast, "test");
        HazelcastWorkRequests requests = new HazelcastWorkRequests(hazelcast);
        long timer = worker.schedule(vertx, leader, requests);

        requests.requestLifecycleRun();

        assertThat(awaitEvents(1)).extracting(RegistryEvent::digest).containsExactly(image.digest());
        assertThat(on(() -> metadata.manifests("up/app"))).isEmpty();
        vertx.cancelTimer(timer);
        leader.close();
    }

    @Test
    void run_ruleOverItsQuota_evictsLeastRecentlyPulledFirstWithMetricAndEvent() {
        long now = clock.millis();
        on(() -> cache.repository("small/app", "small", null).compose(v -> cache.repository("other/app", "other", null)));
        ManifestRecord pulledLongAgo = on(() -> cache.image("small/app", "1", now - 100 * MINUTE, now - 90 * MINUTE,
                LAYER + 1));
        ManifestRecord neverPulled = on(() -> cache.image("small/app", "2", now - 80 * MINUTE, now - 80 * MINUTE,
                LAYER + 2));
        ManifestRecord pulledLately = on(() -> cache.image("small/app", "3", now - 200 * MINUTE, now - 30 * MINUTE,
                LAYER + 3));
        ManifestRecord otherRule = on(() -> cache.image("other/app", "1", now - 500 * MINUTE, now - 500 * MINUTE,
                LAYER + 4));
        ManifestRecord beingPulled = on(() -> cache.image("small/app", "4", now - 300 * MINUTE, now - MINUTE,
                LAYER + 5));
        CacheRule small = new CacheRule("small", "http://127.0.0.1:1", null, null, null, null, null, null, "5000");
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, Duration.ofHours(1), Duration.ofMinutes(15), null),
                () -> List.of(small, CacheRule.of("other", "http://127.0.0.1:2")), "test", clock);

        LifecycleRunReport report = on(worker::run);

        assertThat(report.evicted()).isEqualTo(2);
        assertThat(on(() -> metadata.manifests("small/app"))).extracting(ManifestRecord::digest)
                .containsExactlyInAnyOrder(pulledLately.digest(), beingPulled.digest());
        assertThat(on(() -> metadata.manifests("other/app"))).extracting(ManifestRecord::digest)
                .containsExactly(otherRule.digest());
        assertThat(meters.counter("cargohold.lifecycle.evicted", "quota", "small").count()).isEqualTo(2);
        List<RegistryEvent> expired = awaitEvents(2);
        assertThat(expired).extracting(RegistryEvent::digest)
                .containsExactly(pulledLongAgo.digest(), neverPulled.digest());
        assertThat(expired).allSatisfy(event -> {
            assertThat(event.repository()).isEqualTo("small/app");
            assertThat(event.detail()).startsWith("quota small: ").contains("least recently pulled first");
            assertThat(event.size()).isGreaterThan(1000);
        });
    }

    @Test
    void run_globalQuota_evictsAcrossRepositories() {
        long now = clock.millis();
        on(() -> cache.repository("a/app", "a", null).compose(v -> cache.repository("b/app", "b", null)));
        ManifestRecord oldest = on(() -> cache.image("b/app", "1", now - 100 * MINUTE, now - 100 * MINUTE, LAYER + 1));
        ManifestRecord newer = on(() -> cache.image("a/app", "1", now - 100 * MINUTE, now - 50 * MINUTE, LAYER + 2));
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, Duration.ofHours(1), Duration.ofMinutes(15), "3000"), List::of, "test",
                clock);

        on(worker::run);

        assertThat(on(() -> metadata.manifests("b/app"))).isEmpty();
        assertThat(on(() -> metadata.manifests("a/app"))).extracting(ManifestRecord::digest)
                .containsExactly(newer.digest());
        assertThat(meters.counter("cargohold.lifecycle.evicted", "quota", "global").count()).isEqualTo(1);
        assertThat(awaitEvents(1).get(0).digest()).isEqualTo(oldest.digest());
    }

    @Test
    void run_quotasOverMoreRepositoriesThanAPage_evictWhatThePlannerChoosesOverAllImages() {
        long now = clock.millis();
        List<String> repositories = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            String name = (r % 2 == 0 ? "small" : "other") + "/app-" + r;
            repositories.add(name);
            on(() -> cache.repository(name, name.substring(0, name.indexOf('/')), null));
            for (int i = 0; i < 3; i++) {
                long pulled = now - (100 + 7L * ((r * 3 + i) * 13 % 30)) * MINUTE;
                // Images share base layers across repositories, so some evictions free less than their size.
                String base = "base " + (r + i) % 4 + LAYER;
                String own = name + " " + i + LAYER;
                on(() -> cache.image(name, "t" + pulled, pulled, pulled, base, own));
            }
        }
        List<StoredImage> before = repositories.stream()
                .flatMap(name -> on(() -> ImageCatalog.load(metadata, name)).stream()).toList();
        List<StoredImage> inSmall = before.stream().filter(image -> image.repository().startsWith("small/")).toList();
        long smallBudget = QuotaPlanner.uniqueBytes(inSmall) * 2 / 3;
        List<StoredImage> evictedForSmall = QuotaPlanner.evictions(inSmall, smallBudget, image -> true);
        List<StoredImage> afterSmall = before.stream().filter(image -> !evictedForSmall.contains(image)).toList();
        long globalBudget = QuotaPlanner.uniqueBytes(afterSmall) / 2;
        List<StoredImage> evictedForGlobal = QuotaPlanner.evictions(afterSmall, globalBudget, image -> true);
        assertThat(evictedForSmall).hasSizeGreaterThan(1);
        assertThat(evictedForGlobal).hasSizeGreaterThan(3);
        CacheRule small = new CacheRule("small", "http://127.0.0.1:1", null, null, null, null, null, null,
                Long.toString(smallBudget));
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, Duration.ofHours(1), Duration.ofMinutes(15), Long.toString(globalBudget)),
                () -> List.of(small, CacheRule.of("other", "http://127.0.0.1:2")), "test", clock, 3);

        LifecycleRunReport report = on(worker::run);

        List<String> expectedGone = new ArrayList<>();
        evictedForSmall.forEach(image -> expectedGone.add(image.digest()));
        evictedForGlobal.forEach(image -> expectedGone.add(image.digest()));
        assertThat(report.evicted()).isEqualTo(expectedGone.size());
        assertThat(awaitEvents(expectedGone.size())).extracting(RegistryEvent::digest)
                .containsExactlyInAnyOrderElementsOf(expectedGone);
        List<String> remaining = repositories.stream().flatMap(name -> on(() -> metadata.manifests(name)).stream())
                .map(ManifestRecord::digest).toList();
        assertThat(remaining).containsExactlyInAnyOrderElementsOf(before.stream().map(StoredImage::digest)
                .filter(digest -> !expectedGone.contains(digest)).toList());
        assertThat(meters.counter("cargohold.lifecycle.evicted", "quota", "small").count())
                .isEqualTo(evictedForSmall.size());
        assertThat(meters.counter("cargohold.lifecycle.evicted", "quota", "global").count())
                .isEqualTo(evictedForGlobal.size());
    }

    @Test
    void run_eachRun_isRecordedInTheRunTimer() {
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx), meters,
                new LifecycleConfig(null, null, null, null), List::of, "test", clock);
        on(() -> cache.repository("up/app", "up", null));

        on(worker::run);
        on(worker::run);

        Timer runs = meters.get("cargohold.lifecycle.run").timer();
        assertThat(runs.count()).isEqualTo(2);
        assertThat(runs.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    private List<RegistryEvent> awaitEvents(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().filter(e -> e.type().equals(RegistryEvent.IMAGE_EXPIRED)).count() < count
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return events.stream().filter(e -> e.type().equals(RegistryEvent.IMAGE_EXPIRED)).toList();
    }

    private <T> T on(Supplier<Future<T>> work) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(promise));
        return await(promise.future());
    }
}
