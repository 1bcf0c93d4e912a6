package io.cargohold.store.s3;

import io.cargohold.testkit.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The S3 blob store against a real S3-compatible server (S3Proxy on disk) inside the test JVM. */
class S3BlobStoreTest extends AbstractS3BlobStoreTest {

    @TempDir
    static Path objects;

    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.onDisk(objects);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected S3Settings settings(String bucket) {
        return server.settings(bucket);
    }
}
