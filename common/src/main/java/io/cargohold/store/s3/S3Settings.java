package io.cargohold.store.s3;

import io.minio.MinioClient;

import java.util.Objects;

/**
 * Where an S3-compatible bucket is (MinIO, AWS S3, Ceph) and how to sign requests to it. Secrets
 * are already resolved here; the configuration module turns references into values.
 */
public record S3Settings(String endpoint, String region, String bucket, String accessKey, String secretKey) {

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bucket, "bucket");
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    /**
     * A client for this endpoint that addresses buckets path-style ({@code endpoint/bucket/key}), so
     * presigned URLs work with any S3-compatible server and need no bucket DNS names.
     */
    public MinioClient newClient() {
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint).region(region);
        if (accessKey != null && secretKey != null) {
            builder.credentials(accessKey, secretKey);
        }
        MinioClient client = builder.build();
        client.disableVirtualStyleEndpoint();
        return client;
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***") + "]";
    }
}
