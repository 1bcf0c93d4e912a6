package io.cargohold.refresher;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.cache.PullThrough;
import io.cargohold.cache.Upstreams;
import io.cargohold.config.CacheRule;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.LimitsConfig;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.meta.hazelcast.HazelcastFetchLeases;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.meta.hazelcast.HazelcastPins;
import io.cargohold.oci.Descriptor;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinnedImage;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.testkit.MutableClock;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warmer against a real upstream registry, through a pull-through cache over a filesystem store and a
 * Hazelcast member: pins end ready with every blob stored, an index warms only its rule's platforms, the rules'
 * warm lists become pins, and a failure is kept with its error and retried after a back-off.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PinWarmerTest {

    private static UpstreamRegistry upstream;
    private static TestImages.Image app;
    private static TestImages.Index multi;

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final MutableClock clock = MutableClock.now();
    private HazelcastInstance hazelcast;
    private FileSystemBlobStore blobs;
    private HazelcastPins pins;

    @BeforeAll
    static void startUpstream(@TempDir Path layout) {
        upstream = UpstreamRegistry.anonymous();
        app = TestImages.writeImage(layout.resolve("app"), "app", 31, 300_000, 2_000);
        upstream.push(app, "library/app:1");
        multi = TestImages.writeIndex(layout.resolve("multi"), "multi", 32, 50_000);
        upstream.push(multi, "library/multi:1");
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @BeforeEach
    void start() {
        blobs = new FileSystemBlobStore(vertx, dir);
        await(blobs.initialize());
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        pins = new HazelcastPins(vertx, hazelcast);
    }

    @AfterEach
    void stop() {
        hazelcast.shutdown();
        await(vertx.close());
    }

    @Test
    void warmDue_pinnedImage_readyWithEveryBlobStoredAndItsBytesCounted() {
        PinWarmer warmer = warmer(List.of(CacheRule.of("up", upstream.url())));
        Pin pin = pin("up/library/app:1");

        on(warmer::warmDue);

        Pin warmed = stored(pin.id());
        long total = app.blobs().stream().mapToLong(Descriptor::size).sum();
        assertThat(warmed.state()).isEqualTo(Pin.State.READY);
        assertThat(warmed.digest()).isEqualTo(app.digest().value());
        assertThat(warmed.bytesTotal()).isEqualTo(total);
        assertThat(warmed.bytesDone()).isEqualTo(total);
        assertThat(warmed.lastWarmedAt()).isEqualTo(clock.instant());
        app.blobs().forEach(blob -> assertThat(await(blobs.stat(blob.digest()))).hasValue(blob.size()));
    }

    @Test
    void warmDue_readyPin_warmedAgainOnlyOnceItsRulesRefreshIntervalPassed() {
        PinWarmer warmer = warmer(List.of(new CacheRule("up", upstream.url(), null, null, Duration.ofHours(1),
                null)));
        Pin pin = pin("up/library/app:1");
        on(warmer::warmDue);
        Instant firstWarmed = clock.instant();

        clock.advance(Duration.ofMinutes(59));
        on(warmer::warmDue);
        Pin notYet = stored(pin.id());
        clock.advance(Duration.ofMinutes(2));
        on(warmer::warmDue);
        Pin rechecked = stored(pin.id());

        assertThat(notYet.lastWarmedAt()).isEqualTo(firstWarmed);
        assertThat(rechecked.lastWarmedAt()).isEqualTo(clock.instant());
        assertThat(rechecked.state()).isEqualTo(Pin.State.READY);
    }

    @Test
    void warmDue_indexOfARuleWithPlatforms_warmsOnlyThosePlatforms() {
        PinWarmer warmer = warmer(List.of(new CacheRule("up", upstream.url(), null, null, null,
                List.of("linux/arm64"))));
        Pin pin = pin("up/library/multi:1");

        on(warmer::warmDue);

        Pin warmed = stored(pin.id());
        TestImages.Image arm = multi.images().stream()
                .filter(image -> image.platform().architecture().equals("arm64")).findFirst().orElseThrow();
        TestImages.Image amd = multi.images().stream()
                .filter(image -> image.platform().architecture().equals("amd64")).findFirst().orElseThrow();
        assertThat(warmed.state()).isEqualTo(Pin.State.READY);
        assertThat(warmed.digest()).isEqualTo(multi.digest().value());
        assertThat(warmed.platformDigests()).containsExactly(arm.digest().value());
        arm.blobs().forEach(blob -> assertThat(await(blobs.stat(blob.digest()))).isPresent());
        assertThat(await(blobs.stat(amd.blobs().get(amd.blobs().size() - 1).digest()))).isEmpty();
    }

    @Test
    void warmDue_ruleWarmList_becomesAConfigPinAndIsWarmed() {
        CacheRule rule = new CacheRule("up", upstream.url(), null, null, null, null, null, null, null, null, null,
                null, new CacheRule.Gate(null, null, null, List.of("library/app:1")));
        PinWarmer warmer = warmer(List.of(rule));

        on(warmer::warmDue);

        List<Pin> all = await(pins.all());
        assertThat(all).hasSize(1);
        assertThat(all.get(0).id()).isEqualTo(PinnedImage.parse("up/library/app:1").id());
        assertThat(all.get(0).source()).isEqualTo(Pin.CONFIG);
        assertThat(all.get(0).state()).isEqualTo(Pin.State.READY);
    }

    @Test
    void warmDue_upstreamDown_failedWithItsErrorAndRetriedAfterABackOff() {
        PinWarmer warmer = warmer(List.of(CacheRule.of("down", "http://127.0.0.1:1")));
        Pin pin = pin("down/library/app:1");

        on(warmer::warmDue);
        Pin failed = stored(pin.id());
        on(warmer::warmDue);
        Pin notYetRetried = stored(pin.id());
        clock.advance(Duration.ofSeconds(31));
        on(warmer::warmDue);
        Pin retried = stored(pin.id());

        assertThat(failed.state()).isEqualTo(Pin.State.FAILED);
        assertThat(failed.error()).isNotBlank();
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.nextAttemptAt()).isEqualTo(clock.instant().minusSeconds(1));
        assertThat(notYetRetried.attempts()).isEqualTo(1);
        assertThat(retried.attempts()).isEqualTo(2);
        assertThat(retried.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(60));
    }

    @Test
    void backOff_doublesFromThirtySecondsUpToAnHour() {
        assertThat(PinWarmer.backOff(0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(PinWarmer.backOff(1)).isEqualTo(Duration.ofSeconds(60));
        assertThat(PinWarmer.backOff(20)).isEqualTo(Duration.ofHours(1));
    }

    private PinWarmer warmer(List<CacheRule> rules) {
        HttpClient http = vertx.createHttpClient();
        Upstreams upstreams = new Upstreams(rule -> new HttpUpstreamClient(vertx, http, rule.upstreamUri(),
                CredentialsProvider.ANONYMOUS));
        CargoholdConfig config = new CargoholdConfig(new CargoholdConfig.Endpoint("127.0.0.1", 0), null, null, null,
                null, null, rules, new LimitsConfig(null, null));
        PullThrough cache = PullThrough.create(config, new PullThrough.Dependencies(blobs,
                new HazelcastMetadataStore(vertx, hazelcast), new HazelcastFetchLeases(vertx, hazelcast),
                new LocalEventPublisher(vertx), upstreams), "test", clock);
        return new PinWarmer(pins, cache, clock);
    }

    private Pin pin(String image) {
        Pin pin = Pin.of(PinnedImage.parse(image), Pin.API, clock.instant(), "test");
        assertThat(await(pins.create(pin))).isTrue();
        return pin;
    }

    private Pin stored(String id) {
        return await(pins.all()).stream().filter(pin -> pin.id().equals(id)).findFirst().orElseThrow();
    }

    private <T> T on(Supplier<Future<T>> work) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(promise));
        return await(promise.future());
    }
}
