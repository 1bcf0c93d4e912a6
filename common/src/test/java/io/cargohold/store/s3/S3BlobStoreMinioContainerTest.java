package io.cargohold.store.s3;

import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The S3 blob store against a real MinIO server in a container; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class S3BlobStoreMinioContainerTest extends AbstractS3BlobStoreTest {

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2023-09-04T19-57-37Z");

    @Override
    protected S3Settings settings(String bucket) {
        return new S3Settings(MINIO.getS3URL(), "us-east-1", bucket, MINIO.getUserName(), MINIO.getPassword());
    }
}
