package io.cargohold.store.s3;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.testkit.S3Server;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The S3 adapters against storage that is not there: a port nobody listens on, and a server that
 * accepts connections and never answers (a network partition). Each call fails with
 * {@code UNAVAILABLE} naming the storage and the operation, within the client's deadlines.
 */
class S3OutageTest {

    /** The deadline of a call to a silent server, with a loaded machine's margin. */
    private static final Duration PROMPT = S3Settings.IO_TIMEOUT.plusSeconds(5);

    private final Vertx vertx = Vertx.vertx();
    private final List<Socket> accepted = new ArrayList<>();
    private ServerSocket silent;

    @TempDir
    Path spool;

    @BeforeEach
    void startSilentServer() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = silent.accept();
                    synchronized (accepted) {
                        accepted.add(socket);
                    }
                }
            } catch (Exception closed) {
                // the test ended
            }
        }, "silent-s3");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        silent.close();
        synchronized (accepted) {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void documentGet_connectionRefused_unavailableNamingStorageAndOperation() throws Exception {
        S3DocumentStore store = new S3DocumentStore(settings(refusedPort()));

        assertThatThrownBy(() -> store.get("tags/up/app:1"))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                        .isEqualTo(OciErrorCode.UNAVAILABLE))
                .hasMessageStartingWith("storage unavailable: s3 ")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void documentPut_serverNeverAnswers_unavailableWithinDeadline() {
        S3DocumentStore store = new S3DocumentStore(settings(silent.getLocalPort()));

        long started = System.nanoTime();
        assertThatThrownBy(() -> store.put("tags/up/app:1", "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                        .isEqualTo(OciErrorCode.UNAVAILABLE))
                .hasMessageStartingWith("storage unavailable: s3 ");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);
    }

    @Test
    void blobStat_serverNeverAnswers_unavailableWithinDeadline() {
        S3BlobStore store = new S3BlobStore(vertx, settings(silent.getLocalPort()), spool);
        Digest digest = Digest.sha256("absent".getBytes(StandardCharsets.UTF_8));

        long started = System.nanoTime();
        Throwable failure = store.stat(digest).toCompletionStage().toCompletableFuture()
                .handle((size, error) -> error).join();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPT);
        assertThat(failure).isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(e.getMessage()).startsWith("storage unavailable: s3 HEAD " + S3BlobStore.objectKey(digest)
                    + " in bucket outage: ");
        });
    }

    private static S3Settings settings(int port) {
        return new S3Settings("http://127.0.0.1:" + port, S3Server.REGION, "outage", S3Server.ACCESS_KEY,
                S3Server.SECRET_KEY);
    }

    private static int refusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
