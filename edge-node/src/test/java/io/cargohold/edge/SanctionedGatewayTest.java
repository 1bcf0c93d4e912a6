package io.cargohold.edge;

import io.cargohold.config.CacheRule;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.CosignFixtures;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A rule as a sanctioned gateway, against a real upstream and skopeo: its allow and deny lists refuse names
 * before any upstream request, and its {@code verify} setting caches only images with a cosign signature by a
 * trusted key that names their digest (signed as cosign 2.x does, with a {@code .sig} tag, and as cosign 3.x
 * does, with a Sigstore bundle referrer).
 */
class SanctionedGatewayTest {

    private static final KeyPair TRUSTED = CosignFixtures.newKeyPair();
    private static final KeyPair OTHER = CosignFixtures.newKeyPair();

    @TempDir
    static Path layout;
    @TempDir
    Path out;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image sigTagged;
    private static String sigTaggedSignature;
    private static TestImages.Image bundled;
    private static TestImages.Index signedIndex;

    @BeforeAll
    static void start() throws Exception {
        upstream = UpstreamRegistry.anonymous();
        TestImages.Image app = TestImages.writeImage(layout, "app", 91, 512, 2048);
        upstream.push(app, "library/app:1");
        upstream.push(app, "library/bad1:1");
        upstream.push(app, "other/app:1");

        sigTagged = TestImages.writeImage(layout, "sig-tagged", 92, 1024);
        upstream.push(sigTagged, "signed/sig:1");
        sigTaggedSignature = CosignFixtures.writeSimpleSigning(sigTagged, "signed/sig", TRUSTED, sigTagged.digest());
        CosignFixtures.pushTag(upstream, layout, sigTaggedSignature, "signed/sig");
        bundled = TestImages.writeImage(layout, "bundled", 93, 1024);
        upstream.push(bundled, "signed/bundle:1");
        CosignFixtures.pushReferrer(upstream, layout, CosignFixtures.writeBundle(bundled, "signed/bundle", TRUSTED,
                bundled.digest()), "signed/bundle");
        signedIndex = TestImages.writeIndex(layout, "multi", 94, 512);
        upstream.push(signedIndex, "signed/multi:1");
        CosignFixtures.pushTag(upstream, layout, CosignFixtures.writeSimpleSigning(signedIndex,
                upstream.hostPort() + "/signed/multi", TRUSTED, signedIndex.digest()), "signed/multi");

        TestImages.Image unsigned = TestImages.writeImage(layout, "unsigned", 95, 1024);
        upstream.push(unsigned, "signed/none:1");
        TestImages.Image otherKey = TestImages.writeImage(layout, "other-key", 96, 1024);
        upstream.push(otherKey, "signed/other-key:1");
        CosignFixtures.pushTag(upstream, layout, CosignFixtures.writeSimpleSigning(otherKey,
                "signed/other-key", OTHER, otherKey.digest()), "signed/other-key");
        TestImages.Image otherDigest = TestImages.writeImage(layout, "other-digest", 97, 1024);
        upstream.push(otherDigest, "signed/other-digest:1");
        CosignFixtures.pushTag(upstream, layout, CosignFixtures.writeSimpleSigning(otherDigest,
                "signed/other-digest", TRUSTED, sigTagged.digest()), "signed/other-digest");

        CosignFixtures.writePublicKeyPem(TRUSTED.getPublic(), layout.resolve("cosign.pub"));
        edge = EdgeHarness.builder()
                .rule(gated("up", new CacheRule.Gate(List.of("library/*"), List.of("library/bad*"), null, null)))
                .rule(gated("v", verifying()))
                .start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void skopeo_allowedName_pulls() {
        Skopeo.copy("docker://" + edge.hostPort() + "/up/library/app:1", "dir:" + out.resolve("app"),
                "--src-tls-verify=false");

        assertThat(Files.exists(out.resolve("app/manifest.json"))).isTrue();
    }

    @Test
    void skopeo_deniedName_refusedNamingThePatternWithoutAskingUpstream() {
        long pushed = reads("/v2/library/bad1/.*");

        assertThatThrownBy(() -> Skopeo.copy("docker://" + edge.hostPort() + "/up/library/bad1:1",
                "dir:" + out.resolve("bad"), "--src-tls-verify=false"))
                .hasMessageContaining("denied by rule 'up' pattern 'library/bad*'");

        RegistryEvent denied = edge.awaitEvent("image-denied of up/library/bad1",
                event -> RegistryEvent.IMAGE_DENIED.equals(event.type()) && "up/library/bad1".equals(event.repository()));
        assertThat(denied.detail()).contains("pattern 'library/bad*'");
        assertThat(reads("/v2/library/bad1/.*")).as("requests besides the push").isEqualTo(pushed);
    }

    @Test
    void manifest_nameOutsideTheAllowList_403DeniedWithoutAskingUpstream() {
        long pushed = reads("/v2/other/app/.*");

        RegistryResponse response = edge.get("/v2/up/other/app/manifests/1");

        assertErrorCode(response, OciErrorCode.DENIED);
        assertThat(errorMessage(response)).contains("not in the allow list of rule 'up'");
        assertThat(edge.get("/v2/up/other/app/tags/list").status()).isEqualTo(403);
        assertThat(reads("/v2/other/app/.*")).isEqualTo(pushed);
    }

    @Test
    void blob_ofADeniedRepository_403() {
        long pushed = reads("/v2/library/bad1/blobs/.*");

        RegistryResponse response = edge.get("/v2/up/library/bad1/blobs/" + sigTagged.digest());

        assertErrorCode(response, OciErrorCode.DENIED);
        assertThat(reads("/v2/library/bad1/blobs/.*")).isEqualTo(pushed);
    }

    @Test
    void skopeo_signedWithSigTagOrBundle_pullsAndKeepsTheVerdict() {
        Skopeo.copy("docker://" + edge.hostPort() + "/v/signed/sig:1", "dir:" + out.resolve("sig"),
                "--src-tls-verify=false");
        Skopeo.copy("docker://" + edge.hostPort() + "/v/signed/bundle:1", "dir:" + out.resolve("bundle"),
                "--src-tls-verify=false");

        assertThat(await(edge.metadata().manifest("v/signed/sig", sigTagged.digest().value())).orElseThrow()
                .signature()).isEqualTo("simple-signing signature verified with trusted key #1");
        assertThat(await(edge.metadata().manifest("v/signed/bundle", bundled.digest().value())).orElseThrow()
                .signature()).isEqualTo("Sigstore bundle (DSSE) verified with trusted key #1");
    }

    @Test
    void skopeo_signedIndex_vouchesForItsPlatformImages() {
        Skopeo.copy("docker://" + edge.hostPort() + "/v/signed/multi:1", "dir:" + out.resolve("multi"),
                "--src-tls-verify=false", "--override-arch", "arm64");

        assertThat(Files.exists(out.resolve("multi/manifest.json"))).isTrue();
        for (TestImages.Image platform : signedIndex.images()) {
            assertThat(await(edge.metadata().manifest("v/signed/multi", platform.digest().value())).orElseThrow()
                    .signature()).startsWith("listed by " + signedIndex.digest());
        }
    }

    @Test
    void manifest_unsignedOrUntrustedOrNamingAnotherDigest_403AndNothingCached() {
        assertRefused("v/signed/none", "no signatures");
        assertRefused("v/signed/other-key", "signature does not verify with any trusted key");
        assertRefused("v/signed/other-digest", "signature names " + sigTagged.digest());
    }

    @Test
    void skopeo_verifiedImage_pullsWithTheUpstreamStopped() throws Exception {
        UpstreamRegistry own = UpstreamRegistry.anonymous();
        try (EdgeHarness offline = EdgeHarness.builder().rule(gated("v", verifying(), own.url())).start()) {
            own.push(sigTagged, "signed/sig:1");
            CosignFixtures.pushTag(own, layout, sigTaggedSignature, "signed/sig");
            Skopeo.copy("docker://" + offline.hostPort() + "/v/signed/sig:1", "dir:" + out.resolve("first"),
                    "--src-tls-verify=false");
            own.close();

            Skopeo.copy("docker://" + offline.hostPort() + "/v/signed/sig:1", "dir:" + out.resolve("again"),
                    "--src-tls-verify=false");

            assertThat(Files.readString(out.resolve("again/manifest.json")))
                    .isEqualTo(Files.readString(out.resolve("first/manifest.json")));
        } finally {
            own.close();
        }
    }

    @Test
    void manifest_underATagShapedLikeASignature_isCheckedAsAnyImage() {
        String sigTag = "sha256-" + sigTagged.digest().hex() + ".sig";

        RegistryResponse response = edge.get("/v2/v/signed/sig/manifests/" + sigTag);

        assertErrorCode(response, OciErrorCode.DENIED);
        assertThat(errorMessage(response)).contains("is not signed by a trusted key");
        assertThat(await(edge.metadata().tag("v/signed/sig", sigTag))).isEmpty();
    }

    @Test
    void manifest_cachedBeforeTheRuleVerified_checkedAtItsNextPull() {
        try (EdgeHarness late = EdgeHarness.builder().rule(gated("late", CacheRule.Gate.NONE)).start()) {
            assertStatus(late.get("/v2/late/signed/none/manifests/1"), 200);
            assertStatus(late.get("/v2/late/signed/sig/manifests/1"), 200);

            late.pullThrough().rules().replace(List.of(gated("late", verifying())));

            RegistryResponse refused = late.get("/v2/late/signed/none/manifests/1");
            assertErrorCode(refused, OciErrorCode.DENIED);
            assertThat(errorMessage(refused)).contains("no signatures");
            assertStatus(late.get("/v2/late/signed/sig/manifests/1"), 200);
            assertThat(await(late.metadata().manifest("late/signed/sig", sigTagged.digest().value())).orElseThrow()
                    .signature()).isEqualTo("simple-signing signature verified with trusted key #1");
        }
    }

    @Test
    void manifest_trustedKeysUnreadable_refusesEveryImageOfTheRule() {
        CacheRule.Gate unreadable = new CacheRule.Gate(null, null, new CacheRule.Verify(new CacheRule.Cosign(
                List.of("file:" + layout.resolve("missing.pub")))), null);
        try (EdgeHarness broken = EdgeHarness.builder().rule(gated("broken", unreadable)).start()) {
            RegistryResponse refused = broken.get("/v2/broken/signed/sig/manifests/1");

            assertErrorCode(refused, OciErrorCode.DENIED);
            assertThat(errorMessage(refused)).contains("the trusted keys of rule broken cannot be read");
            assertThat(await(broken.metadata().manifests("broken/signed/sig"))).isEmpty();
        }
    }

    private static CacheRule.Gate verifying() {
        return new CacheRule.Gate(null, null,
                new CacheRule.Verify(new CacheRule.Cosign(List.of("file:" + layout.resolve("cosign.pub")))), null);
    }

    private static void assertRefused(String repository, String why) {
        RegistryResponse response = edge.get("/v2/" + repository + "/manifests/1");

        assertErrorCode(response, OciErrorCode.DENIED);
        assertThat(errorMessage(response)).contains("is not signed by a trusted key: ").contains(why);
        assertThat(await(edge.metadata().tags(repository))).isEmpty();
        assertThat(await(edge.metadata().manifests(repository))).isEmpty();
        RegistryEvent denied = edge.awaitEvent("image-denied of " + repository,
                event -> RegistryEvent.IMAGE_DENIED.equals(event.type()) && repository.equals(event.repository()));
        assertThat(denied.detail()).contains(why);
    }

    /** GET and HEAD requests upstream, the push's included. */
    private static long reads(String pathRegex) {
        return upstream.requests("GET", pathRegex) + upstream.requests("HEAD", pathRegex);
    }

    private static CacheRule gated(String prefix, CacheRule.Gate gate) {
        return gated(prefix, gate, upstream.url());
    }

    private static CacheRule gated(String prefix, CacheRule.Gate gate, String upstreamUrl) {
        return new CacheRule(prefix, upstreamUrl, "", null, null, null, null, null, null, null, null, null, gate);
    }
}
