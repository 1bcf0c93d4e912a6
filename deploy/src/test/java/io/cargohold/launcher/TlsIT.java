package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.OpensslCa.KeyKind;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.ThrottlingProxy;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The jar with {@code http.tls} and {@code admin.tls}, certificates from a CA the openssl command
 * line makes: skopeo pulls over HTTPS trusting the CA ({@code --src-cert-dir}), through the token
 * flow whose realm is https; the admin endpoint requires a client certificate; the certificate
 * files replaced in place reach new connections within 30 s while a download in flight on an old
 * one completes, and a broken replacement keeps the old certificate; two edges with {@code http.tls}
 * relay each other's fills over HTTPS; broken files at start-up exit 2 with one line naming the key,
 * as {@code validate} does.
 */
class TlsIT {

    private static final String PASSWORD = "tls-s3cret";
    private static final long LAYER_BYTES = 48L << 20;
    private static final long UPSTREAM_BYTES_PER_SECOND = 10_000_000;

    @TempDir
    Path dir;
    private OpensslCa ca;
    private Path certificate;
    private Path key;

    @BeforeEach
    void certificates() throws IOException {
        Files.createDirectories(dir.resolve("pki"));
        ca = OpensslCa.create(dir.resolve("pki"));
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        certificate = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        Files.copy(server.certificate(), certificate);
        Files.copy(server.key(), key);
    }

    @Test
    void standaloneWithTls_skopeoPullsOverHttpsAndAdminRequiresAClientCertificate() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 15, 200_000);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int adminPort = CargoholdProcess.freePort();
            String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
            String config = listeners(port, adminPort, true)
                    + "auth:\n"
                    + "  account: \"123456789012\"\n"
                    + "  users: [ { name: puller, passwordBcrypt: \"" + hash + "\", account: \"123456789012\" } ]\n"
                    + "rules: [ { prefix: up, upstreamUrl: \"" + upstream.url() + "\" } ]\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                Path certDir = Files.createDirectories(dir.resolve("certs"));
                Files.copy(ca.certificate(), certDir.resolve("ca.crt"));
                String ref = "docker://127.0.0.1:" + port + "/up/library/app:1";

                Skopeo.copy(ref, "dir:" + dir.resolve("pulled"), "--src-cert-dir", certDir.toString(),
                        "--src-creds", "puller:" + PASSWORD);
                assertThat(Files.readAllBytes(dir.resolve("pulled/manifest.json"))).isEqualTo(image.content());
                assertThatThrownBy(() -> Skopeo.copy(ref, "dir:" + dir.resolve("untrusted"),
                        "--src-creds", "puller:" + PASSWORD)).hasMessageContaining("certificate");

                HttpResponse<String> challenge = client(null).send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + port + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(challenge.statusCode()).isEqualTo(401);
                assertThat(challenge.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
                assertThat(challenge.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value ->
                        assertThat(value).startsWith("Bearer realm=\"https://127.0.0.1:" + port + "/v2/token\""));

                URI health = URI.create("https://127.0.0.1:" + adminPort + "/healthz");
                assertThatThrownBy(() -> client(null).send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
                OpensslCa.Issued operator = ca.issue("operator", "extendedKeyUsage=clientAuth", KeyKind.EC, 30);
                HttpResponse<String> healthy = client(operator).send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(healthy.statusCode()).isEqualTo(200);
                assertThat(healthy.body()).isEqualTo("ok\n");
            }
        }
    }

    @Test
    void certificateFilesReplaced_newConnectionsGetTheNewOneWithin30s_downloadInFlightCompletes() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "big", 16, LAYER_BYTES);
        Descriptor layer = image.layers().get(0);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/big:1");
            int port = CargoholdProcess.freePort();
            String config = listeners(port, 0, false)
                    + "rules: [ { prefix: up, upstreamUrl: \"" + upstream.url() + "\" } ]\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                URI blob = URI.create("https://127.0.0.1:" + port + "/v2/up/library/big/blobs/" + layer.digest());
                BigInteger first = OpensslCa.read(certificate).getSerialNumber();
                try (InputStream miss = open(blob, first)) {
                    assertThat(digest(miss, 0)).as("miss, streamed from upstream").isEqualTo(layer.digest());
                }

                InputStream inFlight = open(blob, first);
                MessageDigest hasher = Digest.sha256Hasher();
                byte[] begun = inFlight.readNBytes(1 << 20);
                hasher.update(begun);

                Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
                awaitLog(cache, "http.tls: the changed files are not used, the certificate in use stays: http.tls.key");
                assertThat(serialOfNewConnection(port)).as("broken files keep the certificate").isEqualTo(first);

                OpensslCa.Issued next = ca.issueServer(KeyKind.EC);
                long replaced = System.nanoTime();
                replace(next.key(), key);
                replace(next.certificate(), certificate);
                BigInteger seen = first;
                while (!seen.equals(next.serial()) && System.nanoTime() - replaced < TimeUnit.SECONDS.toNanos(30)) {
                    Thread.sleep(500);
                    seen = serialOfNewConnection(port);
                }
                assertThat(seen).as("a new connection's certificate within 30 s of the replacement\n%s",
                        cache.problems(5)).isEqualTo(next.serial());

                try (inFlight) {
                    assertThat(digest(inFlight, begun.length, hasher)).as("the download begun before the rotation")
                            .isEqualTo(layer.digest());
                }
                assertThat(cache.isAlive()).isTrue();
            }
        }
    }

    @Test
    void blobGet_anotherHttpsEdgeFetchingIt_relaysThatEdgesFillOverHttps() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "relay", 17, LAYER_BYTES);
        Descriptor layer = image.layers().get(0);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous();
             ThrottlingProxy slow = ThrottlingProxy.start(upstream.port(), UPSTREAM_BYTES_PER_SECOND);
             S3Server s3 = S3Server.onDisk(Files.createDirectories(dir.resolve("s3")))) {
            upstream.push(image, "library/relay:1");
            int[] ports = {CargoholdProcess.freePort(), CargoholdProcess.freePort()};
            int[] adminPorts = {CargoholdProcess.freePort(), CargoholdProcess.freePort()};
            int[] members = {CargoholdProcess.freePort(), CargoholdProcess.freePort()};
            String cluster = "tls-relay-" + UUID.randomUUID().toString().substring(0, 8);
            List<CompletableFuture<CargoholdProcess>> starting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String config = "http: { host: 127.0.0.1, port: " + ports[i] + ", tls: { certificate: " + certificate
                        + ", key: " + key + " } }\n"
                        + "admin: { host: 127.0.0.1, port: " + adminPorts[i] + " }\n"
                        + "storage: { type: s3, path: '" + dir.resolve("spool-" + i) + "', endpoint: '" + s3.endpoint()
                        + "', bucket: cargohold, accessKey: " + S3Server.ACCESS_KEY + ", secretKey: "
                        + S3Server.SECRET_KEY + " }\n"
                        + "cluster: { name: " + cluster + ", port: " + members[i] + ", members: ['127.0.0.1:"
                        + members[0] + "', '127.0.0.1:" + members[1] + "'] }\n"
                        + "rules: [ { prefix: slow, upstreamUrl: \"" + slow.url() + "\" } ]\n";
                int node = i;
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return CargoholdProcess.start(dir, "edge", "edge-" + node, ports[node], config);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
            }
            try (CargoholdProcess edgeA = starting.get(0).get(); CargoholdProcess edgeB = starting.get(1).get()) {
                String path = "/v2/slow/library/relay/blobs/" + layer.digest();
                BigInteger served = OpensslCa.read(certificate).getSerialNumber();
                try (InputStream onA = open(URI.create("https://127.0.0.1:" + ports[0] + path), served)) {
                    assertThat(onA.readNBytes(2 << 20)).as("edge A is fetching").hasSize(2 << 20);
                    try (InputStream onB = open(URI.create("https://127.0.0.1:" + ports[1] + path), served)) {
                        assertThat(digest(onB, 0)).as("edge B's copy").isEqualTo(layer.digest());
                    }
                }
                assertThat(upstream.requests("GET", "/v2/library/relay/blobs/" + layer.digest().value()))
                        .as("edge A's fetch only").isEqualTo(1);
                String scrape = client(null).send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts[0]
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(S3StandaloneIT.sample(scrape, "cargohold_http_requests_seconds_count", "route", "peer_fill",
                        "status", "200")).as("fills edge A served edge B over HTTPS\n%s", edgeB.problems(5))
                        .isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void brokenTlsFiles_startAndValidateExit2WithOneLineNamingTheKey() throws Exception {
        Path missing = dir.resolve("missing.key");
        String config = "http: { host: 127.0.0.1, port: 0, tls: { certificate: " + certificate + ", key: " + missing
                + " } }\nadmin: { host: 127.0.0.1, port: 0 }\nstorage: { type: filesystem, path: " + dir.resolve("data")
                + " }\n";
        String line = "cargohold: invalid config: http.tls.key: '" + missing + "' cannot be read: no such file";
        assertThat(run("standalone", config)).isEqualTo(line);
        assertThat(run("validate", config)).isEqualTo(line);

        OpensslCa.Issued other = ca.issueServer(KeyKind.RSA_PKCS1);
        String mismatched = "http: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0, tls: { certificate: "
                + certificate + ", key: " + other.key() + " } }\nstorage: { type: filesystem, path: "
                + dir.resolve("data") + " }\n";
        assertThat(run("validate", mismatched)).startsWith("cargohold: invalid config: admin.tls.key: '" + other.key()
                + "' does not match admin.tls.certificate");

        OpensslCa.Issued expired = ca.issue("localhost", "subjectAltName=IP:127.0.0.1", KeyKind.RSA_PKCS8, -1);
        String outdated = "http: { host: 127.0.0.1, port: 0, tls: { certificate: " + expired.certificate() + ", key: "
                + expired.key() + " } }\nadmin: { host: 127.0.0.1, port: 0 }\nstorage: { type: filesystem, path: "
                + dir.resolve("data") + " }\n";
        assertThat(run("standalone", outdated)).startsWith("cargohold: invalid config: http.tls.certificate: '"
                + expired.certificate() + "' holds a certificate that expired on ");
    }

    private String listeners(int port, int adminPort, boolean adminTls) {
        String tls = "{ certificate: " + certificate + ", key: " + key;
        return "http: { host: 127.0.0.1, port: " + port + ", tls: " + tls + " } }\n"
                + "admin: { host: 127.0.0.1, port: " + adminPort
                + (adminTls ? ", tls: " + tls + ", clientCa: " + ca.certificate() + " }" : "") + " }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n";
    }

    /** A client trusting the CA, presenting {@code clientCertificate} when given, on connections of its own. */
    private HttpClient client(OpensslCa.Issued clientCertificate) {
        SSLContext context = ca.sslContext(clientCertificate);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private InputStream open(URI blob, BigInteger expectedSerial) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client(null).send(HttpRequest.newBuilder(blob)
                .timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(serial(response)).isEqualTo(expectedSerial);
        return response.body();
    }

    private BigInteger serialOfNewConnection(int port) throws IOException, InterruptedException {
        return serial(client(null).send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()));
    }

    private static BigInteger serial(HttpResponse<?> response) throws IOException {
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static Digest digest(InputStream body, long already) throws IOException {
        return digest(body, already, Digest.sha256Hasher());
    }

    private static Digest digest(InputStream body, long already, MessageDigest hasher) throws IOException {
        long total = already;
        byte[] chunk = new byte[1 << 16];
        for (int read; (read = body.read(chunk)) > 0; ) {
            hasher.update(chunk, 0, read);
            total += read;
        }
        assertThat(total).isEqualTo(LAYER_BYTES);
        return Digest.of(hasher);
    }

    /** Replaces {@code target} at once, as Kubernetes swaps a secret's files. */
    private static void replace(Path source, Path target) throws IOException {
        Path staged = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitLog(CargoholdProcess cache, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cache.log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(cache.log()).contains(text);
    }

    /** Runs {@code cargohold COMMAND --config} and answers its standard error, asserting exit 2. */
    private String run(String command, String config) throws IOException, InterruptedException {
        Path file = Files.writeString(dir.resolve(command + "-" + System.nanoTime() + ".yml"), config);
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CargoholdProcess.JAR.toAbsolutePath().toString(), command, "--config", file.toString()));
        Process process = new ProcessBuilder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(process.exitValue()).as(err).isEqualTo(RoleCommand.INVALID_CONFIG);
        return err;
    }
}
