package io.cargohold.store.s3;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobStore;
import io.cargohold.store.BlobStoreContractTest;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blob store contract and the S3-specific behaviour (key layout, verified uploads, ranged reads,
 * presigned URLs), run against whichever S3-compatible server a subclass provides. Every test gets a
 * fresh bucket, created by {@link S3BlobStore#initialize()}.
 */
abstract class AbstractS3BlobStoreTest extends BlobStoreContractTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path spool;

    protected MinioClient client;
    protected String bucket;
    protected S3BlobStore s3Store;

    /** Settings for {@code bucket} (which does not exist yet) on the server under test. */
    protected abstract S3Settings settings(String bucket);

    @Override
    protected Future<BlobStore> newStore(Vertx vertx) {
        bucket = "cargohold-test-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
        S3Settings settings = settings(bucket);
        client = settings.newClient();
        s3Store = new S3BlobStore(vertx, client, bucket, spool.resolve("spool"));
        return s3Store.initialize().map(s3Store);
    }

    @Override
    protected Future<Long> uploadsInProgress() {
        return vertx.executeBlocking(() -> {
            try (Stream<Path> files = Files.list(s3Store.spoolDirectory())) {
                return files.count();
            }
        });
    }

    @Override
    protected long largeBlobSize() {
        return 64 * MIB;
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close();
    }

    @Test
    void initialize_spoolFilesLeftByACrash_removesThemWhateverTheirAge(VertxTestContext test) throws IOException {
        Path left = Files.writeString(s3Store.spoolDirectory().resolve("left"), "left by a kill -9 just now");
        new S3BlobStore(vertx, client, bucket, s3Store.spoolDirectory()).initialize()
                .onComplete(verify(test, v -> assertThat(left).doesNotExist()));
    }

    @Test
    void initialize_missingBucket_createsIt(VertxTestContext test) {
        vertx.executeBlocking(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))
                .onComplete(verify(test, exists -> assertThat(exists).isTrue()));
    }

    @Test
    void commit_blob_isStoredUnderBlobsAlgorithmHex(VertxTestContext test) {
        byte[] content = bytes("key layout");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> vertx.executeBlocking(() -> {
                    try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket)
                            .object("blobs/sha256/" + digest.hex()).build())) {
                        return List.of(objectNames("blobs/"), in.readAllBytes());
                    }
                }))
                .onComplete(verify(test, found -> {
                    assertThat(found.get(0)).isEqualTo(List.of("blobs/sha256/" + digest.hex()));
                    assertThat((byte[]) found.get(1)).isEqualTo(content);
                }));
    }

    @Test
    void commit_digestMismatch_putsNoObjectUnderBlobs(VertxTestContext test) {
        byte[] content = new byte[3 * 1024 * 1024];
        new SplittableRandom(7).nextBytes(content);
        Digest claimed = Digest.sha256(bytes("something else"));
        on(() -> failureOf(write(content).commit(claimed)))
                .compose(failure -> {
                    assertThat(failure).isInstanceOf(RegistryException.class)
                            .hasFieldOrPropertyWithValue("code", OciErrorCode.DIGEST_INVALID);
                    return vertx.executeBlocking(() -> objectNames(""));
                })
                .onComplete(verify(test, names -> assertThat(names).isEmpty()));
    }

    @Test
    void open_ranges_answerExactlyThoseBytes(VertxTestContext test) {
        byte[] content = new byte[(int) (2 * MIB) + 123];
        new SplittableRandom(11).nextBytes(content);
        Digest digest = Digest.sha256(content);
        List<ByteRange> ranges = List.of(new ByteRange(0, 1), new ByteRange(content.length - 1, 1),
                new ByteRange(65_535, 65_538), new ByteRange(1_000_000, MIB), ByteRange.all(content.length));
        on(() -> write(content).commit(digest))
                .compose(v -> Future.all(ranges.stream()
                        .map(range -> store.open(digest, range).compose(this::read))
                        .toList()))
                .onComplete(verify(test, all -> {
                    for (int i = 0; i < ranges.size(); i++) {
                        ByteRange range = ranges.get(i);
                        assertThat(all.<io.vertx.core.buffer.Buffer>resultAt(i).getBytes()).as("range %s", range)
                                .isEqualTo(Arrays.copyOfRange(content, (int) range.offset(),
                                        (int) (range.offset() + range.length())));
                    }
                }));
    }

    @Test
    void open_rangeBeyondEnd_failsRangeInvalid(VertxTestContext test) {
        byte[] content = bytes("short");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> Future.all(failureOf(store.open(digest, new ByteRange(3, 10))),
                        failureOf(store.open(digest, new ByteRange(10, 2)))))
                .onComplete(verify(test, all -> {
                    assertThat(all.<Throwable>resultAt(0)).hasFieldOrPropertyWithValue("code", OciErrorCode.RANGE_INVALID);
                    assertThat(all.<Throwable>resultAt(1)).hasFieldOrPropertyWithValue("code", OciErrorCode.RANGE_INVALID);
                }));
    }

    @Test
    void presignedUrl_storedBlob_isFetchableWithPlainHttp(VertxTestContext test) {
        byte[] content = new byte[300_000];
        new SplittableRandom(5).nextBytes(content);
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.presignedUrl(digest, Duration.ofMinutes(5)))
                .compose(url -> {
                    assertThat(url).isPresent();
                    assertThat(url.get().getPath()).as("path-style").isEqualTo("/" + bucket + "/blobs/sha256/" + digest.hex());
                    return vertx.executeBlocking(() -> fetch(url.get()));
                })
                .onComplete(verify(test, response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo(content);
                }));
    }

    @Test
    void presignedUrl_tamperedSignature_isRefused(VertxTestContext test) {
        byte[] content = bytes("signed");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.presignedUrl(digest, Duration.ofMinutes(5)))
                .compose(url -> vertx.executeBlocking(() -> fetch(URI.create(url.orElseThrow().toString()
                        .replace("/blobs/sha256/" + digest.hex(), "/blobs/sha256/" + "0".repeat(64))))))
                .onComplete(verify(test, response -> assertThat(response.statusCode()).isEqualTo(403)));
    }

    /** Names of the objects in this test's bucket under {@code prefix}; blocking. */
    private List<String> objectNames(String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                .recursive(true).build())) {
            names.add(item.get().objectName());
        }
        return names;
    }

    private static HttpResponse<byte[]> fetch(URI url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
