package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.testkit.PresignedUrlProxy;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.minio.MakeBucketArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end through the jar: upstreams serving HTTPS with certificates from a private CA, and an
 * upstream on S3 whose blob GETs are redirected to presigned URLs, pulled with skopeo.
 */
class UpstreamTlsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void skopeoPull_privateCaUpstream_pullsWithCaFileAndFails502NamingTrustOrNameWithout() throws Exception {
        OpensslCa authority = OpensslCa.create(dir);
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "single", 41, 4096, 600_000);
        try (UpstreamRegistry trusted = UpstreamRegistry.https(authority.issue("registry", "IP:127.0.0.1"), null);
             UpstreamRegistry misnamed = UpstreamRegistry.https(authority.issue("misnamed", "DNS:wrong.example"),
                     null)) {
            trusted.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            String ca = authority.certificate().toString();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: 0 }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "upstreamTls: { caFile: " + ca + " }\n"
                    + "rules:\n"
                    + "  - { prefix: internal, upstreamUrl: '" + trusted.url() + "' }\n"
                    + "  - { prefix: untrusted, upstreamUrl: '" + trusted.url() + "', tls: { caFile: "
                    + authority.issue("other", "DNS:other.example").certificate() + " } }\n"
                    + "  - { prefix: misnamed, upstreamUrl: '" + misnamed.url() + "' }\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                Path pulled = dir.resolve("pulled");
                Skopeo.copy("docker://" + cache.hostPort() + "/internal/library/app:1", "dir:" + pulled,
                        "--src-tls-verify=false");
                assertThat(Files.readAllBytes(pulled.resolve("manifest.json"))).isEqualTo(image.content());
                for (Descriptor blob : image.blobs()) {
                    assertThat(PullThroughIT.sha256(pulled.resolve(blob.digest().hex()))).isEqualTo(blob.digest());
                }

                assertFails502(cache, "/v2/untrusted/library/app/manifests/1", "fetching manifest library/app:1 from "
                        + trusted.hostPort() + " failed: TLS: certificate not trusted (PKIX path building failed");
                assertFails502(cache, "/v2/misnamed/library/app/manifests/1", "fetching manifest library/app:1 from "
                        + misnamed.hostPort() + " failed: TLS: certificate is for wrong.example, not 127.0.0.1");
                // skopeo shows the status of a failed manifest GET, not its message (checked above)
                assertThatThrownBy(() -> Skopeo.copy("docker://" + cache.hostPort() + "/untrusted/library/app:1",
                        "dir:" + dir.resolve("refused"), "--src-tls-verify=false"))
                        .hasMessageContaining("502 Bad Gateway");
            }
        }
    }

    @Test
    void skopeoPull_upstreamRedirectingToPresignedUrls_pullsAndNamesTheStorageWhenItRefuses() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "single", 42, 4096, 600_000);
        TestImages.Image other = TestImages.writeImage(dir.resolve("layout"), "other", 43, 2048, 300_000);
        try (S3Server s3 = S3Server.inMemory();
             PresignedUrlProxy storage = PresignedUrlProxy.start(s3.port())) {
            s3.newClient().makeBucket(MakeBucketArgs.builder().bucket("upstream").build());
            try (UpstreamRegistry upstream = UpstreamRegistry.basicAuthOnS3("puller", "s3cret-s3", storage.endpoint(),
                    "upstream")) {
                upstream.push(image, "library/app:1");
                upstream.push(other, "library/other:1");
                int port = CargoholdProcess.freePort();
                String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                        + "admin: { host: 127.0.0.1, port: 0 }\n"
                        + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                        + "rules:\n"
                        + "  - { prefix: up, upstreamUrl: '" + upstream.url() + "', credentials: 'puller:s3cret-s3' }\n";
                try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                    Path pulled = dir.resolve("pulled");
                    Skopeo.copy("docker://" + cache.hostPort() + "/up/library/app:1", "dir:" + pulled,
                            "--src-tls-verify=false");
                    for (Descriptor blob : image.blobs()) {
                        assertThat(PullThroughIT.sha256(pulled.resolve(blob.digest().hex()))).isEqualTo(blob.digest());
                    }
                    assertThat(storage.presignedRequests()).isEqualTo(image.blobs().size());
                    assertThat(storage.presignedWithAuthorization()).isZero();

                    storage.refusePresigned(true);
                    Descriptor layer = other.blobs().get(other.blobs().size() - 1);
                    assertFails502(cache, "/v2/up/library/other/blobs/" + layer.digest(), "fetching blob library/other@"
                            + layer.digest() + " from " + upstream.hostPort() + ": redirect to " + storage.hostPort()
                            + " failed: 403 AccessDenied (Request has expired)");
                    assertThat(storage.presignedWithAuthorization()).isZero();
                }
            }
        }
    }

    private static void assertFails502(CargoholdProcess cache, String path, String message)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + cache.hostPort()
                + path)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        assertThat(response.body()).contains(message).doesNotContain("credentials");
    }
}
