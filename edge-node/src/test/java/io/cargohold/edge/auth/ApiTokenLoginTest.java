package io.cargohold.edge.auth;

import io.cargohold.auth.ApiTokens;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.auth.AuthFixtures.CACHE_ACCOUNT;
import static io.cargohold.edge.auth.AuthFixtures.PARTNER_ORG;
import static io.cargohold.edge.auth.AuthFixtures.STRANGER_ACCOUNT;
import static io.cargohold.edge.auth.AuthFixtures.basic;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.claims;
import static io.cargohold.edge.auth.AuthFixtures.tokenPath;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * API tokens logging in where a password would: the token endpoint takes one as the password of any
 * user name, the registry token it issues carries the API token's account and organization, and the
 * policies decide with them; skopeo pulls with one; a deleted or forged token is refused.
 */
class ApiTokenLoginTest {

    private static final String APP = "up/library/app";

    @TempDir
    static Path dir;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image image;
    private static ApiTokens tokens;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(dir.resolve("layout"), "app", 62, 2048);
        upstream.push(image, "library/app:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, AuthFixtures.TOKEN_KEY)).start();
        tokens = new ApiTokens(edge.registryDocuments(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void tokenAsPassword_ofTheCachesAccount_getsARegistryTokenThatPulls() {
        ApiTokens.Created ci = Await.await(tokens.create("ci-bot", CACHE_ACCOUNT, PARTNER_ORG));
        assertThat(ci.token()).startsWith(ApiTokens.PREFIX).hasSize(ApiTokens.PREFIX.length() + 16 + 1 + 43);

        RegistryResponse answer = edge.get(tokenPath("repository:" + APP + ":pull"), "Authorization",
                basic("anyone", ci.token()));

        assertStatus(answer, 200);
        String registryToken = answer.json().getString("token");
        assertThat(claims(registryToken).getString("account")).isEqualTo(CACHE_ACCOUNT);
        assertThat(claims(registryToken).getString("org")).isEqualTo(PARTNER_ORG);
        RegistryResponse manifest = edge.get("/v2/" + APP + "/manifests/1", "Authorization", bearer(registryToken),
                "Accept", image.mediaType());
        assertStatus(manifest, 200);
        assertThat(manifest.bytes()).isEqualTo(image.content());
    }

    @Test
    void tokenOfAnotherAccount_isAuthenticatedButThePoliciesDenyItsPull() {
        ApiTokens.Created stranger = Await.await(tokens.create("stranger-bot", STRANGER_ACCOUNT, null));
        String registryToken = edge.get(tokenPath("repository:" + APP + ":pull"), "Authorization",
                basic("stranger-bot", stranger.token())).json().getString("token");

        assertErrorCode(edge.get("/v2/" + APP + "/manifests/1", "Authorization", bearer(registryToken),
                "Accept", image.mediaType()), OciErrorCode.DENIED);
    }

    @Test
    void deletedForgedOrMalformedToken_isRefused() {
        ApiTokens.Created deleted = Await.await(tokens.create("gone", CACHE_ACCOUNT, null));
        Await.await(edge.registryDocuments().deleteApiToken(deleted.description().getString("id")));
        ApiTokens.Created kept = Await.await(tokens.create("kept", CACHE_ACCOUNT, null));
        String forged = kept.token().substring(0, kept.token().length() - 4) + "AAAA";

        for (String password : new String[] {deleted.token(), forged, ApiTokens.PREFIX + "nothex_short",
                ApiTokens.PREFIX + kept.description().getString("id") + "_" + "x".repeat(43)}) {
            assertErrorCode(edge.get(tokenPath("repository:" + APP + ":pull"), "Authorization",
                    basic("ci", password)), OciErrorCode.UNAUTHORIZED);
        }
    }

    @Test
    void expiringToken_worksUntilItExpires_thenRefused() {
        ApiTokens.Created expired = Await.await(tokens.create("ecr-old", CACHE_ACCOUNT, null,
                Instant.now().minusSeconds(1)));
        ApiTokens.Created valid = Await.await(tokens.create("ecr-new", CACHE_ACCOUNT, null,
                Instant.now().plusSeconds(3600)));

        assertErrorCode(edge.get(tokenPath("repository:" + APP + ":pull"), "Authorization",
                basic("AWS", expired.token())), OciErrorCode.UNAUTHORIZED);
        assertStatus(edge.get(tokenPath("repository:" + APP + ":pull"), "Authorization",
                basic("AWS", valid.token())), 200);
        assertThat(valid.description().getString("expiresAt")).isNotNull();
    }

    @Test
    void skopeo_withATokenAsItsPassword_pullsTheImage() throws IOException {
        ApiTokens.Created ci = Await.await(tokens.create("skopeo-bot", CACHE_ACCOUNT, null));
        Path out = dir.resolve("pulled");

        Skopeo.copy("docker://" + edge.hostPort() + "/" + APP + ":1", "dir:" + out, "--src-tls-verify=false",
                "--src-creds", "skopeo-bot:" + ci.token());

        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
    }
}
