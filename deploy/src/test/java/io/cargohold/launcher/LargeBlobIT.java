package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A 1 GiB layer streams through a node whose heap is a quarter of that: nothing is buffered whole. */
class LargeBlobIT {

    private static final long ONE_GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void blobGet_oneGibLayerThroughSmallHeap_streamsWholeAndMatchesDigest() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "big", 21, ONE_GIB);
        Descriptor layer = image.layers().get(0);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/big:1");
            int port = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "rules: [ { prefix: up, upstreamUrl: \"" + upstream.url() + "\" } ]\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config, "-Xmx256m")) {
                URI blob = URI.create("http://" + cache.hostPort() + "/v2/up/library/big/blobs/" + layer.digest());
                assertThat(download(blob)).as("miss, streamed from upstream").isEqualTo(layer.digest());
                assertThat(download(blob)).as("hit, from the store").isEqualTo(layer.digest());
                assertThat(cache.isAlive()).as(cache.log()).isTrue();
            }
        }
    }

    private static Digest download(URI uri) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest hasher = Digest.sha256Hasher();
        long total = 0;
        try (InputStream body = response.body()) {
            byte[] chunk = new byte[1 << 16];
            for (int read; (read = body.read(chunk)) > 0; ) {
                hasher.update(chunk, 0, read);
                total += read;
            }
        }
        assertThat(total).isEqualTo(ONE_GIB);
        return Digest.of(hasher);
    }
}
