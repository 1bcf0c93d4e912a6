package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.ThrottlingProxy;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of a node mid-fill leaves a partial file in the store's upload directory
 * (filesystem) or spool directory (S3); restarted on the same storage, the node removes it within
 * a minute, since no fill owns it (issue 14, acceptance 5).
 */
class LeftoversIT {

    private static final long LAYER_BYTES = 32L * 1024 * 1024;
    /** Slow enough that the fill is still under way when the node is killed. */
    private static final long THROTTLE_BYTES_PER_SECOND = 2L * 1024 * 1024;
    private static final long PARTIAL_BYTES = 1024 * 1024;
    private static final Duration WITHIN = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void restart_afterKillMidFill_removesThePartialFileWithinAMinute(String storage) throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "big", 5, LAYER_BYTES);
        Descriptor layer = image.layers().get(0);
        Path data = dir.resolve("data");
        Path leftovers = data.resolve(storage.equals("s3") ? "spool" : "uploads");
        try (S3Server s3 = storage.equals("s3") ? S3Server.onDisk(Files.createDirectories(dir.resolve("s3"))) : null;
             UpstreamRegistry upstream = UpstreamRegistry.anonymous();
             ThrottlingProxy slow = ThrottlingProxy.start(upstream.port(), THROTTLE_BYTES_PER_SECOND)) {
            upstream.push(image, "library/big:1");
            String storageYaml = s3 == null ? "storage: { type: filesystem, path: '" + data + "' }\n"
                    : "storage: { type: s3, path: '" + data + "', endpoint: '" + s3.endpoint() + "', bucket: pulled, "
                    + "accessKey: " + S3Server.ACCESS_KEY + ", secretKey: " + S3Server.SECRET_KEY + " }\n";

            int port = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, storageYaml, slow))) {
                HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://" + cache.hostPort()
                        + "/v2/up/library/big/blobs/" + layer.digest())).build(),
                        HttpResponse.BodyHandlers.discarding());
                Path partial = awaitPartialFile(leftovers, cache);
                cache.kill();
                assertThat(Files.size(partial)).as("the partial file after kill -9").isBetween(PARTIAL_BYTES,
                        LAYER_BYTES - 1);
            }

            int again = CargoholdProcess.freePort();
            Instant restarted = Instant.now();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, again, config(again, storageYaml, slow))) {
                List<Path> left = files(leftovers);
                while (!left.isEmpty() && Instant.now().isBefore(restarted.plus(WITHIN))) {
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                    left = files(leftovers);
                }
                assertThat(left).as("files in %s a minute after the restart\n%s", leftovers, cache.problems(5))
                        .isEmpty();
                assertThat(cache.isAlive()).isTrue();
            }
        }
    }

    private static String config(int port, String storageYaml, ThrottlingProxy upstream) {
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                + storageYaml
                + "rules: [ { prefix: up, upstreamUrl: '" + upstream.url() + "' } ]\n";
    }

    /** Waits for the fill's file to hold a part of the blob, not all of it. */
    private static Path awaitPartialFile(Path directory, CargoholdProcess cache) {
        Instant deadline = Instant.now().plus(WITHIN);
        while (Instant.now().isBefore(deadline)) {
            for (Path file : files(directory)) {
                if (file.toFile().length() >= PARTIAL_BYTES) {
                    return file;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("no partial file in " + directory + " within " + WITHIN + "\n" + cache.problems(5));
    }

    private static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
