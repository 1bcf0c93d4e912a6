package io.cargohold.launcher;

import io.cargohold.store.s3.S3BlobStore;
import io.cargohold.testkit.S3Server;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage probe against a real S3-compatible server that goes away. */
class StorageProbeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void problem_storageAnswersThenStops_nullThenSaysWhy() throws Exception {
        Vertx vertx = Vertx.vertx();
        S3Server s3 = S3Server.inMemory();
        boolean s3Running = true;
        try {
            S3BlobStore store = new S3BlobStore(vertx, s3.settings("probed"), dir.resolve("spool"));
            await(store.initialize());
            try (StorageProbe probe = await(StorageProbe.start(vertx, store, Duration.ofMillis(100)))) {
                assertThat(probe.problem()).isNull();

                s3.close();
                s3Running = false;

                long deadline = System.nanoTime() + WAIT.toNanos();
                while (probe.problem() == null && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
                assertThat(probe.problem()).startsWith("storage did not answer");
            }
        } finally {
            if (s3Running) {
                s3.close();
            }
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
