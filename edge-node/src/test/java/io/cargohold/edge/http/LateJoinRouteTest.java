package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.ScriptedUpstream;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that asks for a blob while its download is under way, or falls behind a download it
 * followed live, follows the download's spool file: it gets the bytes received so far at once,
 * while the upstream holds back the rest, rather than waiting for the whole blob to be stored. It
 * never gets the whole of a blob whose digest turns out wrong.
 */
class LateJoinRouteTest {

    private static final int SIZE = 3 * 1024 * 1024;
    private static final int HALF = SIZE / 2;
    /**
     * What the first client reads before the rest is released: a client following live gets the
     * chunks received so far but the latest, held back until the next arrives or the blob verifies.
     */
    private static final int FIRST_READ = HALF - 256 * 1024;

    /**
     * A blob whose first half is more than a client that reads nothing can hold back: a receive
     * buffer fixed at {@link #SMALL_RECEIVE_BUFFER}, the edge's send buffer (4 MiB at most on Linux
     * by default; the margin allows for larger settings) and the {@code FillReader.MAX_QUEUED} bytes
     * queued for it.
     */
    private static final int LARGE_SIZE = 48 * 1024 * 1024;
    private static final int SMALL_RECEIVE_BUFFER = 64 * 1024;

    /** Per upstream repository: the bytes it sends after the first half, once released. */
    private static final Map<String, Promise<byte[]>> REST = new ConcurrentHashMap<>();
    private static final Map<String, byte[]> FIRST = new ConcurrentHashMap<>();
    private static final Map<String, Integer> SIZES = new ConcurrentHashMap<>();
    private static Vertx upstreamVertx;
    private static ScriptedUpstream upstream;
    private static EdgeHarness edge;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        upstreamVertx = Vertx.vertx();
        upstream = ScriptedUpstream.start(upstreamVertx, LateJoinRouteTest::serveInTwoHalves);
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge);
        if (upstreamVertx != null) {
            Await.await(upstreamVertx.close());
        }
    }

    /** Sends the first half of the repository's blob at once and the rest when its test releases it. */
    private static void serveInTwoHalves(HttpServerRequest request) {
        String repository = request.path().split("/")[2];
        byte[] first = FIRST.get(repository);
        request.response().putHeader("Content-Length", String.valueOf(SIZES.get(repository)))
                .putHeader("Content-Type", "application/octet-stream");
        request.response().write(Buffer.buffer(first));
        REST.get(repository).future().onSuccess(rest -> request.response().end(Buffer.buffer(rest)));
    }

    @Test
    void blobGet_duringTheDownload_getsTheBytesSoFarBeforeTheUpstreamSendsMore() throws Exception {
        byte[] blob = blob(1);
        Digest digest = script("late", blob);
        InputStream first = open("late", digest);
        assertThat(first.readNBytes(FIRST_READ)).isEqualTo(Arrays.copyOf(blob, FIRST_READ));

        InputStream late = open("late", digest);
        byte[] lateHalf = CompletableFuture.supplyAsync(() -> readN(late, HALF)).get(30, TimeUnit.SECONDS);
        assertThat(lateHalf).as("the half received so far, while the upstream holds back the rest")
                .isEqualTo(Arrays.copyOf(blob, HALF));

        REST.get("late").complete(Arrays.copyOfRange(blob, HALF, SIZE));
        assertThat(Digest.sha256(concat(lateHalf, late.readAllBytes()))).isEqualTo(digest);
        assertThat(Digest.sha256(concat(Arrays.copyOf(blob, FIRST_READ), first.readAllBytes()))).isEqualTo(digest);
        assertThat(upstream.requests("GET", "/v2/late/blobs/.*")).isEqualTo(1);
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).hasValue((long) SIZE);
    }

    @Test
    void blobGet_clientThatFallsBehindTheDownload_getsTheBytesSoFarBeforeTheUpstreamSendsMore() throws Exception {
        byte[] blob = blob(4, LARGE_SIZE);
        int half = LARGE_SIZE / 2;
        Digest digest = script("behind", blob);
        try (Socket socket = new Socket()) {
            InputStream behind = openAndFallBehind(socket, "behind", digest);

            byte[] firstHalf = CompletableFuture.supplyAsync(() -> readN(behind, half)).get(30, TimeUnit.SECONDS);
            assertThat(firstHalf).as("the half received so far, while the upstream holds back the rest")
                    .isEqualTo(Arrays.copyOf(blob, half));

            REST.get("behind").complete(Arrays.copyOfRange(blob, half, LARGE_SIZE));
            byte[] rest = behind.readNBytes(LARGE_SIZE - half);
            assertThat(Digest.sha256(concat(firstHalf, rest))).isEqualTo(digest);
        }
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).hasValue((long) LARGE_SIZE);
    }

    @Test
    void blobGet_duringADownloadThatTurnsOutWrong_neverGetsTheWholeBlob() throws Exception {
        byte[] blob = blob(2);
        Digest digest = script("liar", blob);
        InputStream first = open("liar", digest);
        assertThat(first.readNBytes(FIRST_READ)).hasSize(FIRST_READ);
        InputStream late = open("liar", digest);
        assertThat(CompletableFuture.supplyAsync(() -> readN(late, HALF)).get(30, TimeUnit.SECONDS)).hasSize(HALF);

        byte[] other = blob(3);
        REST.get("liar").complete(Arrays.copyOfRange(other, HALF, SIZE));

        assertThat(HALF + drain(late)).as("bytes the late client got").isLessThan(SIZE);
        assertThat(FIRST_READ + drain(first)).as("bytes the first client got").isLessThan(SIZE);
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).isEmpty();
    }

    @Test
    void blobGet_clientThatFallsBehindADownloadThatTurnsOutWrong_neverGetsTheWholeBlob() throws Exception {
        byte[] blob = blob(5, LARGE_SIZE);
        int half = LARGE_SIZE / 2;
        Digest digest = script("behind-liar", blob);
        try (Socket socket = new Socket()) {
            InputStream behind = openAndFallBehind(socket, "behind-liar", digest);
            assertThat(CompletableFuture.supplyAsync(() -> readN(behind, half)).get(30, TimeUnit.SECONDS))
                    .hasSize(half);

            REST.get("behind-liar").complete(Arrays.copyOfRange(blob(6, LARGE_SIZE), half, LARGE_SIZE));
            assertThat(half + drain(behind)).as("bytes the client got").isLessThan(LARGE_SIZE);
        }
        edge.awaitFill(digest);
        assertThat(Await.await(edge.blobStore().stat(digest))).isEmpty();
    }

    private static Digest script(String repository, byte[] blob) {
        SIZES.put(repository, blob.length);
        FIRST.put(repository, Arrays.copyOf(blob, blob.length / 2));
        REST.put(repository, Promise.promise());
        return Digest.sha256(blob);
    }

    private InputStream open(String repository, Digest digest) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(
                "http://" + edge.hostPort() + "/v2/up/" + repository + "/blobs/" + digest))
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        return response.body();
    }

    /**
     * GETs the blob over a socket whose receive buffer is fixed small (set before connecting, which
     * turns off Linux's growing of it), reads the answer's head, then reads nothing more until the
     * download has received the first half: the client has fallen behind. The body follows in the stream.
     */
    private InputStream openAndFallBehind(Socket socket, String repository, Digest digest) throws IOException {
        socket.setReceiveBufferSize(SMALL_RECEIVE_BUFFER);
        socket.setSoTimeout(30_000);
        socket.connect(new InetSocketAddress("127.0.0.1", edge.port()), 30_000);
        socket.getOutputStream().write(("GET /v2/up/" + repository + "/blobs/" + digest + " HTTP/1.1\r\n"
                + "Host: " + edge.hostPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + LARGE_SIZE);
        edge.awaitSpooled(LARGE_SIZE / 2);
        return in;
    }

    /** The status line and headers, up to the empty line; the stream is left at the body's first byte. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("answer ended in its head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static byte[] readN(InputStream in, int n) {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads to the end or to the reset that cuts the answer short; how many bytes came. */
    private static long drain(InputStream in) {
        long read = 0;
        byte[] chunk = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                read += n;
            }
        } catch (IOException cutShort) {
            // the answer ends without its last bytes, as it must
        }
        return read;
    }

    private static byte[] blob(int seed) {
        return blob(seed, SIZE);
    }

    private static byte[] blob(int seed, int size) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        return bytes;
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
