package io.cargohold.lifecycle.worker;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.meta.hazelcast.HazelcastMembers;
import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.store.s3.S3BlobStore;
import io.cargohold.testkit.MutableClock;
import io.cargohold.testkit.S3Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.cargohold.lifecycle.worker.CacheFixture.digestOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry and garbage collection against real storage: the filesystem store, and the S3-compatible
 * server through the MinIO client; metadata in a real Hazelcast member.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleStorageTest {

    static final String EXPIRE_OLD_TAGS = """
            {"rules": [{"rulePriority": 1, "description": "Expire old-* images cached over a day ago",
              "selection": {"tagStatus": "tagged", "tagPrefixList": ["old"], "countType": "sinceImagePushed",
                            "countUnit": "days", "countNumber": 1},
              "action": {"type": "expire"}}]}""";
    private static final String REPO = "up/app";
    private static final Duration GRACE = Duration.ofHours(1);
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private HazelcastInstance hazelcast;
    private S3Server s3;

    @AfterEach
    void stop() {
        if (hazelcast != null) {
            hazelcast.shutdown();
        }
        if (s3 != null) {
            s3.close();
        }
        await(vertx.close());
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void run_expiredImagesThenGrace_unreferencedBlobsPastGraceGoAndEveryReferencedBlobStays(String storage) {
        BlobStore blobs = store(storage);
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        MetadataStore metadata = new HazelcastMetadataStore(vertx, hazelcast);
        CacheFixture cache = new CacheFixture(blobs, metadata);
        MutableClock clock = MutableClock.now();
        long old = clock.millis() - 10 * DAY;
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx),
                new SimpleMeterRegistry(), new LifecycleConfig(null, GRACE, null, null), List::of, "test", clock);

        ManifestRecord oldImage = on(() -> cache.repository(REPO, "up", EXPIRE_OLD_TAGS)
                .compose(v -> cache.image(REPO, "old-a", old, old, "base", "a-only")));
        ManifestRecord kept = on(() -> cache.image(REPO, "keep", old, old, "base", "keep-only"));
        ManifestRecord onlyChild = on(() -> cache.image(REPO, null, old, old, "x-only"));
        ManifestRecord sharedChild = on(() -> cache.image(REPO, null, old, old, "shared-child-layer"));
        ManifestRecord oldIndex = on(() -> cache.index(REPO, "old-index", old, old, onlyChild, sharedChild));
        ManifestRecord keptIndex = on(() -> cache.index(REPO, "keep-index", old, old, sharedChild));
        on(() -> cache.blob("stray, old"));

        LifecycleRunReport first = on(worker::run);

        assertThat(first.expired()).isEqualTo(2);
        assertThat(first.blobsDeleted()).as("unreferenced for less than the grace period").isZero();
        assertThat(on(() -> metadata.tagRecords(REPO))).extracting(tag -> tag.tag())
                .containsExactly("keep", "keep-index");
        assertThat(on(() -> metadata.manifests(REPO))).extracting(ManifestRecord::digest).containsExactlyInAnyOrder(
                kept.digest(), keptIndex.digest(), sharedChild.digest());
        assertThat(listed(blobs)).contains(digestOf("a-only"), digestOf("stray, old"), Digest.parse(oldIndex.digest()));

        Instant firstRun = clock.instant();
        awaitWallClockPast(firstRun.truncatedTo(ChronoUnit.SECONDS).plusSeconds(2));
        Digest young = on(() -> cache.blob("stray, written after the first collection"));
        clock.advance(GRACE.plusSeconds(1));

        LifecycleRunReport second = on(worker::run);

        Set<Digest> referenced = on(() -> metadata.manifests(REPO)).stream()
                .flatMap(record -> ImageCatalog.references(record).keySet().stream())
                .map(Digest::parse).collect(Collectors.toSet());
        Set<Digest> expectedGone = Set.of(digestOf("a-only"), digestOf("config of base+a-only"),
                Digest.parse(oldImage.digest()), digestOf("x-only"), digestOf("config of x-only"),
                Digest.parse(onlyChild.digest()), Digest.parse(oldIndex.digest()), digestOf("stray, old"));
        Set<Digest> remaining = listed(blobs);
        assertThat(remaining).as("every referenced blob is present").containsAll(referenced);
        assertThat(remaining).as("only referenced blobs and the one within grace remain")
                .containsExactlyInAnyOrderElementsOf(union(referenced, young));
        assertThat(remaining).doesNotContainAnyElementsOf(expectedGone);
        assertThat(referenced).contains(digestOf("base"), Digest.parse(sharedChild.digest()));
        assertThat(second.blobsDeleted()).isEqualTo(expectedGone.size());
        assertThat(second.expired()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void run_moreRepositoriesAndBlobsThanAPage_collectsEveryUnreferencedBlobAndNoReferencedOne(String storage) {
        BlobStore blobs = store(storage);
        hazelcast = HazelcastMembers.start(HazelcastMetadataStore.configureMaps(HazelcastMembers.standaloneConfig()));
        MetadataStore metadata = new HazelcastMetadataStore(vertx, hazelcast);
        CacheFixture cache = new CacheFixture(blobs, metadata);
        MutableClock clock = MutableClock.now();
        long old = clock.millis() - 10 * DAY;
        List<String> repositories = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            String name = "up/app-" + r;
            repositories.add(name);
            on(() -> cache.repository(name, "up", EXPIRE_OLD_TAGS)
                    .compose(v -> cache.image(name, "keep", old, old, "base", name + " kept"))
                    .compose(v -> cache.image(name, "old-" + name, old, old, "base", name + " expired")));
        }
        Set<Digest> strays = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            String content = "stray " + i;
            strays.add(on(() -> cache.blob(content)));
        }
        LifecycleWorker worker = new LifecycleWorker(metadata, blobs, new LocalEventPublisher(vertx),
                new SimpleMeterRegistry(), new LifecycleConfig(null, GRACE, null, null), List::of, "test", clock, 3);

        assertThat(on(worker::run).expired()).isEqualTo(repositories.size());
        Set<Digest> referenced = repositories.stream().flatMap(name -> on(() -> metadata.manifests(name)).stream())
                .flatMap(record -> ImageCatalog.references(record).keySet().stream())
                .map(Digest::parse).collect(Collectors.toSet());
        Set<Digest> garbage = new HashSet<>(listed(blobs));
        garbage.removeAll(referenced);
        assertThat(garbage).as("the expired images' blobs and the strays").hasSize(3 * repositories.size() + 12)
                .containsAll(strays);
        assertThat(listed(blobs)).hasSizeGreaterThan(30);

        for (int run = 0; run < 4 && listed(blobs).stream().anyMatch(garbage::contains); run++) {
            clock.advance(GRACE.plusSeconds(1));
            on(worker::run);
            assertThat(listed(blobs)).as("every referenced blob stays").containsAll(referenced);
        }
        assertThat(listed(blobs)).containsExactlyInAnyOrderElementsOf(referenced);
    }

    private BlobStore store(String storage) {
        if (storage.equals("filesystem")) {
            FileSystemBlobStore files = new FileSystemBlobStore(vertx, dir.resolve("store"));
            await(files.initialize());
            return files;
        }
        s3 = S3Server.inMemory();
        S3BlobStore bucket = new S3BlobStore(vertx, s3.settings("lifecycle"), dir.resolve("spool"));
        await(bucket.initialize());
        return bucket;
    }

    private Set<Digest> listed(BlobStore blobs) {
        return on(blobs::list).stream().map(StoredBlob::digest).collect(Collectors.toSet());
    }

    private static Set<Digest> union(Set<Digest> set, Digest one) {
        Set<Digest> union = new HashSet<>(set);
        union.add(one);
        return union;
    }

    /** Object stores keep last-modified times to the second: lets them tell the next writes apart. */
    private static void awaitWallClockPast(Instant instant) {
        while (Instant.now().isBefore(instant)) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** Runs {@code work} on one Vert.x context, as the worker runs, and waits for it. */
    private <T> T on(Supplier<Future<T>> work) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(promise));
        return await(promise.future());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("waiting failed: " + e, e);
        }
    }
}
