package io.cargohold.store.s3;

import io.cargohold.oci.error.RegistryException;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;

/** What the S3 adapters share: reading S3 error codes, reporting failures, creating the bucket. */
final class S3Calls {

    private static final Logger LOG = LoggerFactory.getLogger(S3Calls.class);
    private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "NoSuchObject", "NotFound");

    private S3Calls() {
    }

    /** The S3 error code ({@code NoSuchKey}, {@code InvalidRange}, ...) somewhere in {@code failure}'s causes. */
    static Optional<String> errorCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ErrorResponseException error && error.errorResponse() != null) {
                return Optional.ofNullable(error.errorResponse().code());
            }
        }
        return Optional.empty();
    }

    /** True when the object does not exist (as opposed to a missing bucket or any other failure). */
    static boolean isNoSuchKey(Throwable failure) {
        return errorCode(failure).filter(NOT_FOUND::contains).isPresent();
    }

    /**
     * A failure of the storage, keeping the operation: "storage unavailable: s3 GET blobs/sha256/ab.. in
     * bucket b: java.net.ConnectException: Connection refused". The client reports an error answer
     * as a {@code MinioException}, and a connection that failed or timed out as an unchecked
     * exception around the I/O error: callers catch both and map them here.
     */
    static RegistryException failure(String operation, Throwable cause) {
        if (cause instanceof RegistryException registry) {
            return registry;
        }
        String reason = errorCode(cause).orElseGet(() -> String.valueOf(rootCause(cause)));
        return RegistryException.storageUnavailable("s3", operation, reason, cause);
    }

    /** Creates {@code bucket} unless it exists; blocking. */
    static void createBucketIfMissing(MinioClient client, String bucket) {
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                LOG.info("created bucket {}", bucket);
            }
        } catch (MinioException | RuntimeException e) {
            if (errorCode(e).filter(code -> code.startsWith("BucketAlready")).isEmpty()) {
                throw failure("create bucket " + bucket, e);
            }
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
