package io.cargohold.store.s3;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.DocumentStoreContractTest;
import io.cargohold.testkit.S3Server;
import io.minio.BucketExistsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The document store contract over S3 (S3Proxy in the test JVM), and the object layout. */
class S3DocumentStoreTest extends DocumentStoreContractTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static S3Server server;

    private MinioClient client;
    private String bucket;

    @BeforeAll
    static void startServer() {
        server = S3Server.inMemory();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected DocumentStore newStore() {
        bucket = "cargohold-docs-" + BUCKETS.incrementAndGet();
        client = server.newClient();
        return new S3DocumentStore(client, bucket);
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close();
    }

    @Test
    void put_missingBucket_createsItAndStoresUnderMetadataPrefix() throws Exception {
        store.put("repositories/hub/library/nginx", bytes("{}"));
        store.put("tags/hub/app:1%", bytes("{}"));

        assertThat(client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())).isTrue();
        assertThat(objectNames()).containsExactlyInAnyOrder(
                "metadata/repositories%2Fhub%2Flibrary%2Fnginx", "metadata/tags%2Fhub%2Fapp:1%25");
    }

    @Test
    void keys_missingBucket_isEmpty() {
        assertThat(store.keys("repositories/")).isEmpty();
    }

    @Test
    void put_wrongCredentials_failsSayingWhatWasAttempted() {
        S3DocumentStore refused = new S3DocumentStore(new S3Settings(server.endpoint(), S3Server.REGION, bucket,
                S3Server.ACCESS_KEY, "wrong-secret"));

        assertThatThrownBy(() -> refused.put("repositories/hub/app", bytes("{}")))
                .hasMessageStartingWith("storage unavailable: s3 ")
                .hasMessageContaining("bucket " + bucket + ": AccessDenied");
    }

    private List<String> objectNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
            names.add(item.get().objectName());
        }
        return names;
    }
}
