package io.cargohold.store.s3;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.InputStreamReadStream;
import io.cargohold.store.OpenSpools;
import io.cargohold.store.SpooledBlobWriter;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Blobs in an S3-compatible bucket (MinIO, AWS S3, Ceph), content-addressed under
 * {@code blobs/<algorithm>/<hex>}. A writer spools to a local file in the spool directory while
 * hashing; a verified commit uploads that file (in parts when large) and deletes it, so an object
 * under {@code blobs/} always has the content its key names and a blob is never held in memory.
 * Every blocking client call runs on a worker thread, never on the event loop.
 */
public final class S3BlobStore implements BlobStore {

    /** The longest validity S3 allows for a presigned URL. */
    public static final Duration MAX_PRESIGNED_VALIDITY = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final String BLOBS = "blobs/";
    /** The most keys one listing call answers. */
    private static final int MAX_KEYS = 1000;

    private final Vertx vertx;
    private final MinioClient client;
    private final String bucket;
    private final Path spool;
    private volatile boolean spoolReady;
    private final OpenSpools openSpools = new OpenSpools();

    /**
     * Does no I/O; call {@link #initialize()} at start-up.
     *
     * @param spoolDirectory where uploads are written before they are verified and sent; it needs
     *                       room for the largest blobs being uploaded at once
     */
    public S3BlobStore(Vertx vertx, MinioClient client, String bucket, Path spoolDirectory) {
        this.vertx = vertx;
        this.client = client;
        this.bucket = bucket;
        this.spool = spoolDirectory.toAbsolutePath();
    }

    /** A store with its own client for {@code settings} (path-style addressing). */
    public S3BlobStore(Vertx vertx, S3Settings settings, Path spoolDirectory) {
        this(vertx, settings.newClient(), settings.bucket(), spoolDirectory);
    }

    /** The object key of a blob: {@code blobs/sha256/<hex>}. */
    public static String objectKey(Digest digest) {
        return BLOBS + digest.algorithm() + "/" + digest.hex();
    }

    public String bucket() {
        return bucket;
    }

    /** Where writers spool uploads before they commit. */
    public Path spoolDirectory() {
        return spool;
    }

    /**
     * Creates the bucket if it is missing and the spool directory, and removes every spool file: the
     * spool is this process's own and no writer runs yet. Then sweeps spool files no writer owns every
     * {@link OpenSpools#SWEEP_INTERVAL}.
     */
    public Future<Void> initialize() {
        return blocking(() -> {
            S3Calls.createBucketIfMissing(client, bucket);
            Files.createDirectories(spool);
            spoolReady = true;
            return null;
        }).compose(v -> removeStaleSpoolFiles(Duration.ZERO)).onSuccess(v -> vertx.setPeriodic(
                OpenSpools.SWEEP_INTERVAL.toMillis(), id -> removeStaleSpoolFiles(OpenSpools.LEFTOVER_AGE))).mapEmpty();
    }

    /**
     * Deletes spool files no running writer owns, last modified more than {@code maxAge} ago; answers
     * how many it deleted.
     */
    public Future<Integer> removeStaleSpoolFiles(Duration maxAge) {
        return blocking(() -> {
            int removed = openSpools.removeLeftovers(spool, Instant.now().minus(maxAge));
            if (removed > 0) {
                LOG.info("removed {} spool files no writer owns from {}", removed, spool);
            }
            return removed;
        });
    }

    @Override
    public Future<Optional<Long>> stat(Digest digest) {
        return blocking(() -> size(objectKey(digest)));
    }

    @Override
    public Future<BlobContent> open(Digest digest, ByteRange range) {
        if (range.offset() < 0 || range.length() < 0) {
            return Future.failedFuture(rangeInvalid(range, "?"));
        }
        String key = objectKey(digest);
        Context context = vertx.getOrCreateContext();
        if (range.length() == 0) {
            return blocking(() -> {
                long size = size(key).orElseThrow(() -> RegistryException.blobUnknown(digest));
                if (range.offset() > size) {
                    throw rangeInvalid(range, size);
                }
                return new BlobContent.Stream(new InputStreamReadStream(context, new ByteArrayInputStream(new byte[0])), 0);
            });
        }
        return blocking(() -> {
            GetObjectResponse body;
            try {
                body = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                        .offset(range.offset()).length(range.length()).build());
            } catch (MinioException | RuntimeException e) {
                if (S3Calls.isNoSuchKey(e)) {
                    throw RegistryException.blobUnknown(digest);
                }
                if (S3Calls.errorCode(e).filter("InvalidRange"::equals).isPresent()) {
                    throw rangeInvalid(range, "?");
                }
                throw S3Calls.failure("GET " + key + " in bucket " + bucket, e);
            }
            String length = body.headers().get("Content-Length");
            if (length != null && Long.parseLong(length) != range.length()) {
                body.close();   // the range runs past the end: S3 answers what there is
                throw rangeInvalid(range, body.headers().get("Content-Range"));
            }
            return new BlobContent.Stream(new InputStreamReadStream(context, body), range.length());
        });
    }

    @Override
    public BlobWriter create() {
        Path file = openSpools.opened(spool.resolve(UUID.randomUUID().toString()));
        Future<Void> ready = spoolReady ? Future.succeededFuture() : blocking(() -> {
            Files.createDirectories(spool);
            spoolReady = true;
            return null;
        });
        return new SpooledBlobWriter(file, ready.compose(v -> vertx.fileSystem()
                .open(file.toString(), new OpenOptions().setRead(false).setWrite(true).setCreateNew(true))),
                (spoolFile, computed, expected) -> upload(spoolFile, computed, expected)
                        .onComplete(done -> openSpools.closed(spoolFile)),
                spoolFile -> deleteSpoolFile(spoolFile).onComplete(done -> openSpools.closed(spoolFile)));
    }

    /**
     * The usable space of the spool directory's filesystem: the bucket sets no limit, but a blob is
     * spooled whole before it is uploaded.
     */
    @Override
    public OptionalLong freeSpace() {
        return SpooledBlobWriter.usableSpace(spool);
    }

    /** Lists {@code blobs/} page by page (the client follows continuation tokens); other keys are skipped. */
    @Override
    public Future<List<StoredBlob>> list() {
        return blocking(() -> {
            List<StoredBlob> found = new ArrayList<>();
            try {
                for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(BLOBS)
                        .recursive(true).build())) {
                    Item item = result.get();
                    storedBlob(item).ifPresent(found::add);
                }
            } catch (MinioException | RuntimeException e) {
                throw S3Calls.failure("LIST " + BLOBS + " in bucket " + bucket, e);
            }
            return found;
        });
    }

    /** One listing call per thousand keys, starting after {@code after}'s key: the bucket's own paging. */
    @Override
    public Future<List<StoredBlob>> list(Digest after, int limit) {
        ListObjectsArgs.Builder listing = ListObjectsArgs.builder().bucket(bucket).prefix(BLOBS).recursive(true)
                .maxKeys(Math.min(limit, MAX_KEYS));
        if (after != null) {
            listing.startAfter(objectKey(after));
        }
        return blocking(() -> {
            List<StoredBlob> page = new ArrayList<>();
            try {
                Iterator<Result<Item>> items = client.listObjects(listing.build()).iterator();
                while (page.size() < limit && items.hasNext()) {
                    storedBlob(items.next().get()).ifPresent(page::add);
                }
            } catch (MinioException | RuntimeException e) {
                throw S3Calls.failure("LIST " + BLOBS + " in bucket " + bucket, e);
            }
            return page;
        });
    }

    @Override
    public Future<Boolean> delete(Digest digest) {
        String key = objectKey(digest);
        return blocking(() -> {
            boolean existed = size(key).isPresent();
            try {
                client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            } catch (MinioException | RuntimeException e) {
                throw S3Calls.failure("DELETE " + key + " in bucket " + bucket, e);
            }
            return existed;
        });
    }

    @Override
    public Future<Optional<URI>> presignedUrl(Digest digest, Duration validFor) {
        long seconds = Math.max(1, Math.min(validFor.toSeconds(), MAX_PRESIGNED_VALIDITY.toSeconds()));
        String key = objectKey(digest);
        return blocking(() -> {
            try {
                return Optional.of(URI.create(client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                        .method(Http.Method.GET).bucket(bucket).object(key)
                        .expiry((int) seconds, TimeUnit.SECONDS).build())));
            } catch (MinioException | RuntimeException e) {
                throw S3Calls.failure("presign " + key + " in bucket " + bucket, e);
            }
        });
    }

    /** Verifies a closed spool file and uploads it unless the blob is already stored; always deletes the file. */
    private Future<Void> upload(Path file, Digest computed, Digest expected) {
        return blocking(() -> {
            try {
                SpooledBlobWriter.verify(file, computed, expected);
                String key = objectKey(expected);
                if (size(key).isEmpty()) {
                    try {
                        client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key)
                                .filename(file.toString()).contentType(CONTENT_TYPE).build());
                    } catch (MinioException | RuntimeException e) {
                        throw S3Calls.failure("PUT " + key + " in bucket " + bucket, e);
                    }
                }
                return null;
            } finally {
                Files.deleteIfExists(file);
            }
        });
    }

    private Future<Void> deleteSpoolFile(Path file) {
        return blocking(() -> {
            Files.deleteIfExists(file);
            return null;
        });
    }

    /** The size of an object, or empty when there is none; blocking. */
    private Optional<Long> size(String key) {
        try {
            return Optional.of(client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).size());
        } catch (MinioException | RuntimeException e) {
            if (S3Calls.isNoSuchKey(e)) {
                return Optional.empty();
            }
            throw S3Calls.failure("HEAD " + key + " in bucket " + bucket, e);
        }
    }

    private static Optional<StoredBlob> storedBlob(Item item) {
        String[] parts = item.objectName().substring(BLOBS.length()).split("/");
        if (parts.length != 2 || item.isDir()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new StoredBlob(new Digest(parts[0], parts[1]), item.size(),
                    item.lastModified().toInstant()));
        } catch (RegistryException notADigest) {
            return Optional.empty();
        }
    }

    private static RegistryException rangeInvalid(ByteRange range, Object size) {
        return new RegistryException(OciErrorCode.RANGE_INVALID, "requested range not satisfiable",
                range.offset() + "-" + range.end() + "/" + size);
    }

    /** Runs blocking client or file work on a worker thread, unordered so that calls do not queue behind each other. */
    private <T> Future<T> blocking(Callable<T> call) {
        return vertx.executeBlocking(call, false);
    }
}
