package io.cargohold.meta.hazelcast;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.s3.S3DocumentStore;
import io.cargohold.testkit.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

/** Durable metadata maps over documents in an S3 bucket (S3Proxy in the test JVM): a full restart loses nothing. */
class DurableMetadataS3Test extends DurableMetadataContract {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.inMemory();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected DocumentStore newDocumentStore() {
        return new S3DocumentStore(server.settings("cargohold-durable-" + BUCKETS.incrementAndGet()));
    }
}
