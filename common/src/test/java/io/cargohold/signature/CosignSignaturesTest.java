package io.cargohold.signature;

import io.cargohold.oci.Digest;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.testkit.CosignFixtures;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CosignSignatures against a real upstream (distribution 2.8, which has no referrers API) holding
 * images signed by CosignFixtures and pushed with skopeo, read through the real HttpUpstreamClient.
 */
class CosignSignaturesTest {

    private static final KeyPair TRUSTED = CosignFixtures.newKeyPair();
    private static final KeyPair OTHER = CosignFixtures.newKeyPair();

    private static Vertx vertx;
    private static HttpClient http;
    private static UpstreamRegistry upstream;
    private static Path layout;
    private static TestImages.Image sigTagged;
    private static TestImages.Image bundled;
    private static TestImages.Image unsigned;
    private static TestImages.Image otherKey;
    private static TestImages.Image otherDigest;

    private CosignSignatures signatures;

    @BeforeAll
    static void pushSignedImages() throws Exception {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(4));
        upstream = UpstreamRegistry.anonymous();
        layout = Files.createTempDirectory("cosign-layout");
        sigTagged = TestImages.writeImage(layout, "sig-tagged", 31, 512);
        bundled = TestImages.writeImage(layout, "bundled", 32, 512);
        unsigned = TestImages.writeImage(layout, "unsigned", 33, 512);
        otherKey = TestImages.writeImage(layout, "other-key", 34, 512);
        otherDigest = TestImages.writeImage(layout, "other-digest", 35, 512);

        push(sigTagged, "signed/sig", CosignFixtures.writeSimpleSigning(sigTagged,
                upstream.hostPort() + "/signed/sig", TRUSTED, sigTagged.digest()));
        push(bundled, "signed/bundle");
        CosignFixtures.pushReferrer(upstream, layout, CosignFixtures.writeBundle(bundled, "signed/bundle", TRUSTED,
                bundled.digest()), "signed/bundle");
        push(unsigned, "signed/none");
        push(otherKey, "signed/other-key",
                CosignFixtures.writeSimpleSigning(otherKey, "signed/other-key", OTHER, otherKey.digest()));
        CosignFixtures.pushReferrer(upstream, layout, CosignFixtures.writeBundle(otherKey, "signed/other-key", OTHER,
                otherKey.digest()), "signed/other-key");
        push(otherDigest, "signed/other-digest",
                CosignFixtures.writeSimpleSigning(otherDigest, "signed/other-digest", TRUSTED, sigTagged.digest()));
        CosignFixtures.pushReferrer(upstream, layout, CosignFixtures.writeBundle(otherDigest, "signed/other-digest",
                TRUSTED, bundled.digest()), "signed/other-digest");
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (layout != null) {
            try (Stream<Path> paths = Files.walk(layout)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @BeforeEach
    void client() {
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, URI.create(upstream.url()),
                CredentialsProvider.ANONYMOUS);
        signatures = new CosignSignatures(client, new CosignVerifier(List.of(TRUSTED.getPublic())));
    }

    @Test
    void verify_signedWithSigTag_passes() throws Exception {
        Verdict verdict = verify("signed/sig", sigTagged.digest());

        assertThat(verdict).isEqualTo(Verdict.pass("simple-signing signature verified with trusted key #1"));
        assertThat(upstream.requests("GET", "/v2/signed/sig/referrers/.*")).isZero();
    }

    @Test
    void verify_signedWithBundleReferrer_passesThroughTheReferrersTagSchema() throws Exception {
        Verdict verdict = verify("signed/bundle", bundled.digest());

        assertThat(verdict).isEqualTo(Verdict.pass("Sigstore bundle (DSSE) verified with trusted key #1"));
        String hex = bundled.digest().hex();
        assertThat(upstream.accessLog()).anySatisfy(entry -> {
            assertThat(entry.path()).isEqualTo("/v2/signed/bundle/referrers/sha256:" + hex);
            assertThat(entry.status()).isEqualTo(404);
        });
        assertThat(upstream.accessLog()).anySatisfy(entry -> {
            assertThat(entry.path()).isEqualTo("/v2/signed/bundle/manifests/sha256-" + hex);
            assertThat(entry.status()).isEqualTo(200);
        });
    }

    @Test
    void verify_unsigned_failsNoSignatures() throws Exception {
        assertThat(verify("signed/none", unsigned.digest())).isEqualTo(Verdict.fail("no signatures"));
    }

    @Test
    void verify_signedByAnotherKey_failsUntrusted() throws Exception {
        assertThat(verify("signed/other-key", otherKey.digest()))
                .isEqualTo(Verdict.fail("signature does not verify with any trusted key"));
    }

    @Test
    void verify_signaturesNameAnotherDigest_failsNamingThem() throws Exception {
        assertThat(verify("signed/other-digest", otherDigest.digest())).isEqualTo(Verdict.fail(
                "signature names " + sigTagged.digest() + " not " + otherDigest.digest()
                        + "; signature names " + bundled.digest() + " not " + otherDigest.digest()));
    }

    @Test
    void verify_signatureOfAnotherRepository_isNotFound() throws Exception {
        assertThat(verify("signed/none", sigTagged.digest())).isEqualTo(Verdict.fail("no signatures"));
    }

    private Verdict verify(String repository, Digest image) throws Exception {
        return signatures.verify(repository, image).await(60, TimeUnit.SECONDS);
    }

    private static void push(TestImages.Image image, String repository, String... signatureRefs) {
        upstream.push(image, repository + ":latest");
        for (String ref : signatureRefs) {
            CosignFixtures.pushTag(upstream, layout, ref, repository);
        }
    }
}
