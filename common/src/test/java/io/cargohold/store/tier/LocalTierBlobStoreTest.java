package io.cargohold.store.tier;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.store.BlobStoreContractTest;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.cargohold.store.s3.S3BlobStore;
import io.cargohold.testkit.S3Server;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blob store contract over a local tier in front of an S3 store (S3Proxy in the test JVM), and
 * the tier's own behaviour: fills on a miss, hits as file regions, LRU eviction within the bound,
 * the index rebuilt at start, and a corrupt backing blob never published.
 */
class LocalTierBlobStoreTest extends BlobStoreContractTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final long TIER_BYTES = 32 * MIB;

    @TempDir
    static Path objects;

    private static S3Server server;

    @TempDir
    Path local;

    private MinioClient client;
    private String bucket;
    private S3BlobStore backing;
    private LocalTierBlobStore tierStore;

    @BeforeAll
    static void startServer() {
        server = S3Server.onDisk(objects);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Future<BlobStore> newStore(Vertx vertx) {
        bucket = "cargohold-tier-" + BUCKETS.incrementAndGet();
        client = server.newClient();
        backing = new S3BlobStore(vertx, client, bucket, local.resolve("spool"));
        tierStore = new LocalTierBlobStore(vertx, backing, tierDirectory(), TIER_BYTES);
        return backing.initialize().compose(v -> tierStore.initialize()).map(tierStore);
    }

    /** Spool files of the backing store and partial copies into the tier, once running fills ended. */
    @Override
    protected Future<Long> uploadsInProgress() {
        return tierStore.whenFillsDone().compose(v -> vertx.executeBlocking(() ->
                count(backing.spoolDirectory()) + count(tierDirectory().resolve("uploads"))));
    }

    /** Larger than the tier, so the large stream test also shows such a blob is never tiered. */
    @Override
    protected long largeBlobSize() {
        return 2 * TIER_BYTES;
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close();
    }

    @Test
    void open_afterTheFillOfAMiss_isAFileRegionInTheTier(VertxTestContext test) {
        byte[] content = random(200_000, 1);
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.open(digest, ByteRange.all(content.length)))
                .compose(miss -> {
                    assertThat(miss).isInstanceOf(BlobContent.Stream.class);
                    return read(miss);
                })
                .compose(read -> {
                    assertThat(read.getBytes()).isEqualTo(content);
                    return tierStore.whenFillsDone();
                })
                .compose(v -> store.open(digest, new ByteRange(10, 100)))
                .onComplete(verify(test, hit -> {
                    assertThat(hit).isEqualTo(new BlobContent.FileRegion(tierPath(digest), 10, 100));
                    assertThat(tierPath(digest)).hasBinaryContent(content);
                    assertThat(tierStore.tieredBytes()).isEqualTo(content.length);
                }));
    }

    @Test
    void open_tierHit_rangeBeyondEndFailsRangeInvalid(VertxTestContext test) {
        byte[] content = bytes("short tiered blob");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> tierStore.fill(digest))
                .compose(tiered -> {
                    assertThat(tiered).isTrue();
                    return failureOf(store.open(digest, new ByteRange(5, 100)));
                })
                .onComplete(verify(test, failure -> assertThat(failure)
                        .hasFieldOrPropertyWithValue("code", OciErrorCode.RANGE_INVALID)));
    }

    @Test
    void fill_concurrentCalls_copyOnceAndAllSeeTheBlobTiered(VertxTestContext test) {
        byte[] content = random(500_000, 2);
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> {
                    List<Future<Boolean>> calls = List.of(tierStore.fill(digest), tierStore.fill(digest),
                            tierStore.fill(digest));
                    assertThat(calls.get(1)).as("a running fill is joined").isSameAs(calls.get(0));
                    return Future.all(calls);
                })
                .compose(all -> {
                    assertThat(all.<Boolean>list()).containsOnly(true);
                    return store.stat(digest);
                })
                .onComplete(verify(test, size -> {
                    assertThat(size).contains((long) content.length);
                    assertThat(tierPath(digest)).hasBinaryContent(content);
                }));
    }

    @Test
    void fill_corruptBackingBlob_failsDigestInvalidAndPublishesNothing(VertxTestContext test) {
        byte[] content = random(300_000, 3);
        Digest digest = Digest.sha256(content);
        byte[] corrupt = content.clone();
        corrupt[1234] ^= 1;
        on(() -> write(content).commit(digest))
                .compose(v -> vertx.executeBlocking(() -> client.putObject(PutObjectArgs.builder().bucket(bucket)
                        .object(S3BlobStore.objectKey(digest)).data(corrupt, corrupt.length).build())))
                .compose(v -> store.open(digest, ByteRange.all(content.length)))
                .compose(miss -> {
                    assertThat(miss).as("served from the backing store as it is").isInstanceOf(BlobContent.Stream.class);
                    return read(miss);
                })
                .compose(read -> failureOf(tierStore.fill(digest)))
                .compose(failure -> {
                    assertThat(failure).hasFieldOrPropertyWithValue("code", OciErrorCode.DIGEST_INVALID);
                    return store.open(digest, ByteRange.all(content.length));
                })
                .compose(again -> {
                    assertThat(again).isInstanceOf(BlobContent.Stream.class);
                    return read(again).compose(read -> tierStore.whenFillsDone());
                })
                .onComplete(verify(test, v -> {
                    assertThat(tierPath(digest)).doesNotExist();
                    assertThat(tierStore.tieredBytes()).isZero();
                }));
    }

    @Test
    void fill_fileSystemBackingStore_copiesFromItsFileRegion(VertxTestContext test) {
        byte[] content = random(150_000, 12);
        Digest digest = Digest.sha256(content);
        FileSystemBlobStore files = new FileSystemBlobStore(vertx, local.resolve("files"));
        LocalTierBlobStore overFiles = new LocalTierBlobStore(vertx, files, local.resolve("over-files"), TIER_BYTES);
        on(() -> files.initialize().compose(v -> overFiles.initialize()))
                .compose(v -> {
                    BlobWriter writer = overFiles.create();
                    writer.write(Buffer.buffer(content));
                    return writer.commit(digest);
                })
                .compose(v -> overFiles.fill(digest))
                .compose(tiered -> {
                    assertThat(tiered).isTrue();
                    return overFiles.open(digest, ByteRange.all(content.length));
                })
                .onComplete(verify(test, hit -> {
                    Path tiered = new FileSystemBlobStore(vertx, local.resolve("over-files")).blobPath(digest);
                    assertThat(hit).isEqualTo(new BlobContent.FileRegion(tiered, 0, content.length));
                    assertThat(tiered).hasBinaryContent(content);
                }));
    }

    @Test
    void fill_blobLargerThanTheTier_isNotTiered(VertxTestContext test) {
        byte[] content = random(300_000, 4);
        Digest digest = Digest.sha256(content);
        LocalTierBlobStore small = new LocalTierBlobStore(vertx, backing, local.resolve("small"), 299_999);
        on(() -> write(content).commit(digest))
                .compose(v -> small.initialize())
                .compose(v -> small.fill(digest))
                .onComplete(verify(test, tiered -> {
                    assertThat(tiered).isFalse();
                    assertThat(small.tieredBytes()).isZero();
                    assertThat(count(local.resolve("small/blobs"))).isZero();
                }));
    }

    @Test
    void fill_overTheBound_evictsTheLeastRecentlyUsedAndStaysWithinIt(VertxTestContext test) {
        byte[] a = random(100_000, 5);
        byte[] b = random(100_000, 6);
        byte[] c = random(100_000, 7);
        Digest da = Digest.sha256(a);
        Digest db = Digest.sha256(b);
        Digest dc = Digest.sha256(c);
        Path directory = local.resolve("bounded");
        LocalTierBlobStore bounded = new LocalTierBlobStore(vertx, backing, directory, 250_000);
        on(() -> Future.all(write(a).commit(da), write(b).commit(db), write(c).commit(dc)))
                .compose(v -> bounded.initialize())
                .compose(v -> bounded.fill(da))
                .compose(v -> bounded.fill(db))
                .compose(v -> bounded.open(da, new ByteRange(0, 1)))
                .compose(hit -> {
                    assertThat(hit).as("a is used after b").isInstanceOf(BlobContent.FileRegion.class);
                    return bounded.fill(dc);
                })
                .onComplete(verify(test, tiered -> {
                    FileSystemBlobStore layout = new FileSystemBlobStore(vertx, directory);
                    assertThat(tiered).isTrue();
                    assertThat(bounded.tieredBytes()).isEqualTo(200_000).isLessThanOrEqualTo(bounded.maxBytes());
                    assertThat(layout.blobPath(da)).exists();
                    assertThat(layout.blobPath(db)).as("least recently used").doesNotExist();
                    assertThat(layout.blobPath(dc)).exists();
                }));
    }

    @Test
    void initialize_existingTier_rebuildsTheIndexAndServesHitsAtOnce(VertxTestContext test) {
        byte[] a = random(120_000, 8);
        byte[] b = random(80_000, 9);
        Digest db = Digest.sha256(b);
        storeAndTier(a, b)
                .compose(v -> {
                    LocalTierBlobStore restarted = new LocalTierBlobStore(vertx, backing, tierDirectory(), TIER_BYTES);
                    return restarted.initialize().map(restarted);
                })
                .compose(restarted -> {
                    assertThat(restarted.tieredBytes()).isEqualTo(200_000);
                    return restarted.open(db, ByteRange.all(b.length));
                })
                .onComplete(verify(test, hit -> assertThat(hit)
                        .isEqualTo(new BlobContent.FileRegion(tierPath(db), 0, b.length))));
    }

    @Test
    void initialize_tierOverTheBound_evictsTheOldestByModificationTime(VertxTestContext test) {
        byte[] a = random(100_000, 10);
        byte[] b = random(100_000, 11);
        Digest da = Digest.sha256(a);
        Digest db = Digest.sha256(b);
        storeAndTier(a, b)
                .compose(v -> vertx.executeBlocking(() -> {
                    Files.setLastModifiedTime(tierPath(db), FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
                    Files.setLastModifiedTime(tierPath(da), FileTime.from(Instant.parse("2026-02-01T00:00:00Z")));
                    return null;
                }))
                .compose(v -> {
                    LocalTierBlobStore smaller = new LocalTierBlobStore(vertx, backing, tierDirectory(), 150_000);
                    return smaller.initialize().map(smaller);
                })
                .onComplete(verify(test, smaller -> {
                    assertThat(smaller.tieredBytes()).isEqualTo(100_000);
                    assertThat(tierPath(da)).exists();
                    assertThat(tierPath(db)).as("oldest").doesNotExist();
                }));
    }

    /** Commits two blobs to the backing store and copies both into the tier. */
    @Test
    void dropCollected_blobDeletedFromTheBackingStore_leavesTheTierToo(VertxTestContext test) {
        byte[] collected = bytes("collected elsewhere");
        byte[] kept = bytes("still in the bucket");
        Digest dc = Digest.sha256(collected);
        Digest dk = Digest.sha256(kept);
        on(() -> storeAndTier(collected, kept))
                .compose(v -> backing.delete(dc))
                .compose(v -> tierStore.dropCollected())
                .onComplete(verify(test, dropped -> {
                    assertThat(dropped).isEqualTo(1);
                    assertThat(tierPath(dc)).doesNotExist();
                    assertThat(tierPath(dk)).hasBinaryContent(kept);
                    assertThat(tierStore.tieredBytes()).isEqualTo(kept.length);
                }));
    }

    @Test
    void dropCollected_backingListedInPagesSmallerThanTheTier_dropsExactlyTheCollectedCopies(VertxTestContext test) {
        List<byte[]> blobs = IntStream.range(0, 9).mapToObj(i -> bytes("tiered blob " + i)).toList();
        List<Digest> digests = blobs.stream().map(Digest::sha256).toList();
        Set<Digest> collected = Set.of(digests.get(0), digests.get(4), digests.get(5), digests.get(8));
        on(() -> Future.all(IntStream.range(0, blobs.size())
                        .mapToObj(i -> write(blobs.get(i)).commit(digests.get(i))).toList()))
                .compose(v -> Future.all(digests.stream().map(tierStore::fill).toList()))
                .compose(v -> Future.all(collected.stream().map(backing::delete).toList()))
                .compose(v -> tierStore.dropCollected(2))
                .onComplete(verify(test, dropped -> {
                    assertThat(dropped).isEqualTo(collected.size());
                    for (Digest digest : digests) {
                        if (collected.contains(digest)) {
                            assertThat(tierPath(digest)).as("collected %s", digest).doesNotExist();
                        } else {
                            assertThat(tierPath(digest)).as("kept %s", digest).exists();
                        }
                    }
                }));
    }

    @Test
    void delete_tieredBlob_isGoneFromTheTierAndTheBackingStore(VertxTestContext test) {
        byte[] a = bytes("tiered a");
        byte[] b = bytes("tiered b");
        Digest da = Digest.sha256(a);
        on(() -> storeAndTier(a, b))
                .compose(v -> store.delete(da))
                .compose(existed -> {
                    assertThat(existed).isTrue();
                    return backing.stat(da);
                })
                .onComplete(verify(test, backed -> {
                    assertThat(backed).isEmpty();
                    assertThat(tierPath(da)).doesNotExist();
                    assertThat(tierStore.tieredBytes()).isEqualTo(b.length);
                }));
    }

    private Future<Void> storeAndTier(byte[] a, byte[] b) {
        Digest da = Digest.sha256(a);
        Digest db = Digest.sha256(b);
        return on(() -> Future.all(write(a).commit(da), write(b).commit(db)))
                .compose(v -> Future.all(tierStore.fill(da), tierStore.fill(db)))
                .mapEmpty();
    }

    private Path tierDirectory() {
        return local.resolve("tier");
    }

    private Path tierPath(Digest digest) {
        return new FileSystemBlobStore(vertx, tierDirectory()).blobPath(digest);
    }

    private static byte[] random(int size, long seed) {
        byte[] content = new byte[size];
        new SplittableRandom(seed).nextBytes(content);
        return content;
    }

    private static long count(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
