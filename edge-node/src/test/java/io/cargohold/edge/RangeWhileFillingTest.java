package io.cargohold.edge;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.ThrottlingProxy;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parallel {@code Range} requests on a cold blob, as containerd makes for a large layer, behind an
 * upstream held to 40 MiB/s: each gets its headers at once, while the one download they all share
 * is still under way, and then exactly its bytes (issue 14, acceptance 1).
 */
class RangeWhileFillingTest {

    private static final long BLOB_SIZE = 200L * 1024 * 1024;
    private static final long UPSTREAM_BYTES_PER_SECOND = 40L * 1024 * 1024;
    private static final int RANGES = 4;
    private static final Duration FIRST_BYTE_WITHIN = Duration.ofMillis(1500);

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static ThrottlingProxy slowUpstream;
    private static EdgeHarness edge;
    private static TestImages.Image image;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(layout, "big", 14, BLOB_SIZE);
        upstream.push(image, "library/big:1");
        slowUpstream = ThrottlingProxy.start(upstream.port(), UPSTREAM_BYTES_PER_SECOND);
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", slowUpstream.url())).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, slowUpstream, upstream);
    }

    /** What one client got: how long until the response began, and the digest and length of its body. */
    private record Received(int status, String contentRange, long contentLength, Duration firstByte,
                            Digest body, long bodyLength) {
    }

    @Test
    void rangeGets_fourAtOnceOfColdBlobBehindSlowUpstream_headersAtOnceExactBytesOneUpstreamGet() throws Exception {
        Descriptor layer = image.layers().get(0);
        URI uri = URI.create("http://" + edge.hostPort() + "/v2/up/library/big/blobs/" + layer.digest());
        long part = BLOB_SIZE / RANGES;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        // A client pulls the manifest before its layers; that also opens the node's first connections.
        HttpResponse<byte[]> manifest = client.send(HttpRequest.newBuilder(URI.create("http://" + edge.hostPort()
                        + "/v2/up/library/big/manifests/1")).header("Accept", image.mediaType()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(manifest.statusCode()).isEqualTo(200);
        ExecutorService clients = Executors.newFixedThreadPool(RANGES);
        List<Future<Received>> gets = new ArrayList<>();
        try {
            for (int i = 0; i < RANGES; i++) {
                long first = i * part;
                gets.add(clients.submit(() -> get(client, uri, first, first + part - 1)));
            }
            for (int i = 0; i < RANGES; i++) {
                long first = i * part;
                long last = first + part - 1;
                Received received = gets.get(i).get(EdgeHarness.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(received.status()).as("status of range %d", i).isEqualTo(206);
                assertThat(received.contentRange()).isEqualTo("bytes " + first + "-" + last + "/" + BLOB_SIZE);
                assertThat(received.contentLength()).isEqualTo(part);
                assertThat(received.firstByte()).as("time to the first byte of range %d", i)
                        .isLessThan(FIRST_BYTE_WITHIN);
                assertThat(received.bodyLength()).as("bytes of range %d", i).isEqualTo(part);
                assertThat(received.body()).as("content of range %d", i).isEqualTo(expected(layer, first, part));
            }
        } finally {
            clients.shutdownNow();
        }

        assertThat(edge.upstreamCalls().blobGets(layer.digest())).as("GETs by the node").isEqualTo(1);
        assertThat(upstream.requests("GET", Pattern.quote("/v2/library/big/blobs/" + layer.digest())))
                .as("GETs in the upstream's access log").isEqualTo(1);
        edge.awaitFill(layer.digest());
        assertThat(Await.await(edge.blobStore().stat(layer.digest()))).hasValue(BLOB_SIZE);
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    /** GETs bytes {@code first} to {@code last}, timing the response's first byte (its status line). */
    private static Received get(HttpClient client, URI uri, long first, long last) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                        .header("Range", "bytes=" + first + "-" + last).timeout(EdgeHarness.TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Duration firstByte = Duration.ofNanos(System.nanoTime() - start);
        MessageDigest hasher = Digest.sha256Hasher();
        long length = 0;
        try (InputStream body = response.body()) {
            byte[] chunk = new byte[1 << 16];
            for (int read; (read = body.read(chunk)) > 0; ) {
                hasher.update(chunk, 0, read);
                length += read;
            }
        }
        return new Received(response.statusCode(), response.headers().firstValue("Content-Range").orElse(null),
                response.headers().firstValueAsLong("Content-Length").orElse(-1), firstByte,
                Digest.of(hasher), length);
    }

    /** The sha256 digest of {@code length} bytes of the layer from {@code offset}, read from the layout. */
    private static Digest expected(Descriptor layer, long offset, long length) throws IOException {
        MessageDigest hasher = Digest.sha256Hasher();
        try (FileChannel file = FileChannel.open(TestImages.blobPath(layout, layer.digest()))) {
            InputStream in = Channels.newInputStream(file.position(offset));
            byte[] chunk = new byte[1 << 16];
            for (long left = length; left > 0; ) {
                int read = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                hasher.update(chunk, 0, read);
                left -= read;
            }
        }
        return Digest.of(hasher);
    }
}
