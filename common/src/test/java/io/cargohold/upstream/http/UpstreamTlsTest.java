package io.cargohold.upstream.http;

import io.cargohold.config.UpstreamTls;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.spi.UpstreamManifest;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.cargohold.upstream.http.HttpUpstreamClientTest.assertUpstreamFailure;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.await;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.digest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HttpUpstreamClient against real distribution registries serving HTTPS with certificates from a
 * CA the test makes: trusted through {@code caFile}, refused without it, refused for another name,
 * and asking for a client certificate.
 */
class UpstreamTlsTest {

    private static final long MAX = 4 * 1024 * 1024;

    private static Vertx vertx;
    private static Path dir;
    private static OpensslCa authority;
    private static OpensslCa.Issued clientCertificate;
    private static UpstreamRegistry trusted;
    private static UpstreamRegistry misnamed;
    private static UpstreamRegistry mutual;
    private static TestImages.Image image;

    @BeforeAll
    static void startRegistries() throws Exception {
        vertx = Vertx.vertx();
        dir = Files.createTempDirectory("upstream-tls");
        authority = OpensslCa.create(dir);
        clientCertificate = authority.issue("cache-client", "DNS:cache.example");
        image = TestImages.writeImage(dir.resolve("layout"), "single", 21, 4096, 300_000);
        trusted = UpstreamRegistry.https(authority.issue("registry", "IP:127.0.0.1"), null);
        misnamed = UpstreamRegistry.https(authority.issue("misnamed", "DNS:wrong.example"), null);
        mutual = UpstreamRegistry.https(authority.issue("mutual", "IP:127.0.0.1"), authority.certificate());
        trusted.push(image, "library/app:1");
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[]{trusted, misnamed, mutual}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void pull_caFileTrustsRegistry_pullsImageSayingUserAgent() throws Exception {
        HttpUpstreamClient client = client(trusted, new UpstreamTls(authority.certificate().toString(), null, null,
                null));
        int pushed = trusted.accessLog().size();

        UpstreamManifest manifest = await(client.getManifest("library/app", Tag.parse("1"), MAX));
        assertThat(manifest.content()).isEqualTo(image.content());
        for (var blob : image.blobs()) {
            assertThat(await(client.getBlob("library/app", blob.digest()).compose(HttpUpstreamClientTest::digest))
                    .digest()).isEqualTo(blob.digest());
        }

        assertThat(trusted.accessLog().subList(pushed, trusted.accessLog().size()))
                .isNotEmpty()
                .allSatisfy(entry -> assertThat(entry.userAgent()).matches("cargohold/[0-9A-Za-z.-]+"));
    }

    @Test
    void getManifest_withoutCaFile_fails502NamingUntrustedCertificate() {
        HttpUpstreamClient client = client(trusted, UpstreamTls.NONE);

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.UNAVAILABLE, 502, 0,
                "fetching manifest library/app:1 from " + trusted.hostPort()
                        + " failed: TLS: certificate not trusted (PKIX path building failed");
    }

    @Test
    void getManifest_certificateForAnotherName_fails502NamingBothNames() {
        HttpUpstreamClient client = client(misnamed, new UpstreamTls(authority.certificate().toString(), null, null,
                null));

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.UNAVAILABLE, 502, 0,
                "fetching manifest library/app:1 from " + misnamed.hostPort()
                        + " failed: TLS: certificate is for wrong.example, not 127.0.0.1");
    }

    @Test
    void getManifest_insecureSkipVerify_acceptsCertificateForAnotherName() {
        HttpUpstreamClient client = client(misnamed, new UpstreamTls(null, null, null, true));

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.MANIFEST_UNKNOWN,
                404, 404, "failed: 404");
    }

    @Test
    void getManifest_clientCertificate_passesMutualTls() {
        HttpUpstreamClient client = client(mutual, new UpstreamTls(authority.certificate().toString(),
                clientCertificate.certificate().toString(), clientCertificate.key().toString(), null));

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.MANIFEST_UNKNOWN,
                404, 404, "failed: 404");
    }

    @Test
    void getManifest_noClientCertificateForMutualTls_fails502NamingHandshake() {
        HttpUpstreamClient client = client(mutual, new UpstreamTls(authority.certificate().toString(), null, null,
                null));

        assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX), OciErrorCode.UNAVAILABLE, 502, 0,
                "failed: TLS: handshake failed (");
    }

    private static HttpUpstreamClient client(UpstreamRegistry registry, UpstreamTls tls) {
        var http = vertx.createHttpClient(UpstreamTrust.load("tls", tls).applyTo(new HttpClientOptions()));
        return new HttpUpstreamClient(vertx, http, URI.create(registry.url()), CredentialsProvider.ANONYMOUS);
    }
}
