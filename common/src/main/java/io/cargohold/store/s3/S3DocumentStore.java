package io.cargohold.store.s3;

import io.cargohold.spi.DocumentStore;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.errors.MinioException;
import io.minio.messages.Item;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Metadata documents as small objects in the blobs' bucket, under {@code metadata/}. A document key
 * is stored with {@code %} and {@code /} percent-encoded ({@code metadata/repositories%2Fhub%2Fapp}),
 * so one repository name being a path prefix of another never makes an object a "folder" of
 * another (which MinIO refuses); the encoding keeps prefixes, so {@link #keys} is one listing, and
 * a page of a listing is one request from where the last one stopped (the store's order is that of
 * the encoded keys). A page of documents reads its objects in parallel. Blocking: called from
 * Hazelcast's map-store threads and Vert.x workers. The bucket is created on first use if missing.
 */
public final class S3DocumentStore implements DocumentStore {

    public static final String KEY_PREFIX = "metadata/";

    private static final String CONTENT_TYPE = "application/json";
    /** The most keys S3 answers in one listing request. */
    private static final int MAX_KEYS = 1_000;
    /** Objects of one page read at once, across every store of the process. */
    private static final ExecutorService PAGE_READS = Executors.newFixedThreadPool(16, runnable -> {
        Thread thread = new Thread(runnable, "cargohold-s3-document-reads");
        thread.setDaemon(true);
        return thread;
    });

    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketReady;

    public S3DocumentStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** A store with its own client for {@code settings} (path-style addressing). */
    public S3DocumentStore(S3Settings settings) {
        this(settings.newClient(), settings.bucket());
    }

    /** The object key of a document: {@code metadata/} and the key with {@code %} and {@code /} encoded. */
    public static String objectKey(String key) {
        return KEY_PREFIX + key.replace("%", "%25").replace("/", "%2F");
    }

    @Override
    public Optional<byte[]> get(String key) {
        String object = objectKey(key);
        ensureBucket();
        try (GetObjectResponse body = client.getObject(GetObjectArgs.builder().bucket(bucket).object(object).build())) {
            return Optional.of(body.readAllBytes());
        } catch (MinioException | IOException | RuntimeException e) {
            if (S3Calls.isNoSuchKey(e)) {
                return Optional.empty();
            }
            throw S3Calls.failure("GET " + object + " in bucket " + bucket, e);
        }
    }

    @Override
    public void put(String key, byte[] document) {
        String object = objectKey(key);
        ensureBucket();
        try {
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(object)
                    .data(document, document.length).contentType(CONTENT_TYPE).build());
        } catch (MinioException | RuntimeException e) {
            throw S3Calls.failure("PUT " + object + " in bucket " + bucket, e);
        }
    }

    /** Deleting a missing document succeeds: S3 deletes are idempotent. */
    @Override
    public void delete(String key) {
        String object = objectKey(key);
        ensureBucket();
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(object).build());
        } catch (MinioException | RuntimeException e) {
            if (!S3Calls.isNoSuchKey(e)) {
                throw S3Calls.failure("DELETE " + object + " in bucket " + bucket, e);
            }
        }
    }

    /** Lists recursively; the client follows continuation tokens, so any number of keys is answered. */
    @Override
    public List<String> keys(String prefix) {
        String objectPrefix = objectKey(prefix);
        ensureBucket();
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .prefix(objectPrefix).recursive(true).build())) {
                keys.add(documentKey(item.get().objectName()));
            }
        } catch (MinioException | RuntimeException e) {
            throw S3Calls.failure("LIST " + objectPrefix + " in bucket " + bucket, e);
        }
        return keys;
    }

    @Override
    public List<String> keys(String prefix, String startAfter, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        String objectPrefix = objectKey(prefix);
        ListObjectsArgs.Builder listing = ListObjectsArgs.builder().bucket(bucket).prefix(objectPrefix)
                .recursive(true).maxKeys(Math.min(limit, MAX_KEYS));
        if (startAfter != null) {
            listing.startAfter(objectKey(startAfter));
        }
        ensureBucket();
        List<String> keys = new ArrayList<>();
        try {
            Iterator<Result<Item>> items = client.listObjects(listing.build()).iterator();
            while (keys.size() < limit && items.hasNext()) {
                keys.add(documentKey(items.next().get().objectName()));
            }
        } catch (MinioException | RuntimeException e) {
            throw S3Calls.failure("LIST " + objectPrefix + " in bucket " + bucket, e);
        }
        return keys;
    }

    /** Documents deleted between the listing and the read are left out. */
    @Override
    public List<Document> documents(String prefix, String startAfter, int limit) {
        List<CompletableFuture<Optional<Document>>> reads = keys(prefix, startAfter, limit).stream()
                .map(key -> CompletableFuture.supplyAsync(() -> get(key).map(content -> new Document(key, content)),
                        PAGE_READS))
                .toList();
        try {
            return reads.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
    }

    private static String documentKey(String objectKey) {
        return objectKey.substring(KEY_PREFIX.length()).replace("%2F", "/").replace("%25", "%");
    }

    private void ensureBucket() {
        if (!bucketReady) {
            S3Calls.createBucketIfMissing(client, bucket);
            bucketReady = true;
        }
    }
}
