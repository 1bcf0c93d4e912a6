package io.cargohold.store.s3;

import io.minio.MinioClient;

import java.time.Duration;
import java.util.Objects;

/**
 * Where an S3-compatible bucket is (MinIO, AWS S3, Ceph) and how to sign requests to it. Secrets
 * are already resolved here; the configuration module turns references into values.
 */
public record S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey) {

    /**
     * The longest a connection to the endpoint may take to open: an unreachable endpoint (a network
     * partition) fails a storage call within this.
     */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The longest one read or write on a connection may wait: a server that accepted the connection
     * and does not answer, or stalls mid-body, fails the call within this (503 for a client) rather
     * than holding it, a worker thread and a Hazelcast map-store call for minutes. Idle time between
     * reads of a streamed blob does not count.
     */
    public static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bucket, "bucket");
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    /**
     * A client for this endpoint that addresses buckets path-style ({@code endpoint/bucket/key}), so
     * presigned URLs work with any S3-compatible server and need no bucket DNS names, with the
     * deadlines {@link #CONNECT_TIMEOUT} and {@link #IO_TIMEOUT} (the client's own are 5 minutes).
     */
    public MinioClient newClient() {
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint).region(region);
        if (accessKey != null && secretKey != null) {
            builder.credentials(accessKey, secretKey);
        }
        MinioClient client = builder.build();
        client.disableVirtualStyleEndpoint();
        client.setTimeout(CONNECT_TIMEOUT.toMillis(), IO_TIMEOUT.toMillis(), IO_TIMEOUT.toMillis());
        return client;
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***") + "]";
    }
}
