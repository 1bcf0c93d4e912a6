package io.cargohold.edge.auth;

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

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static io.cargohold.edge.auth.AuthFixtures.ARN_PREFIX;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.claims;
import static io.cargohold.edge.auth.AuthFixtures.tokenPath;
import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auth.anonymousPull: true}: clients without credentials pull (skopeo through an anonymous token, curl
 * without one) what no statement denies to everyone; {@code /v2/} still challenges, so clients with credentials
 * learn the realm.
 */
class AnonymousPullTest {

    private static final String DENY_PRIVATE = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "NoAnonymousPrivate", "Effect": "Deny", "Principal": "*",
               "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
               "Resource": "%sup/private/*",
               "Condition": {"Null": {"cargohold:PrincipalAccount": "true"}}}
            ]}""".formatted(ARN_PREFIX);

    @TempDir
    static Path layout;
    @TempDir
    Path out;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        TestImages.Image image = TestImages.writeImage(layout, "app", 81, 512);
        upstream.push(image, "library/app:1");
        upstream.push(image, "private/app:1");
        upstream.push(image, "private/tool:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(true, null)).start();
        await(edge.registryDocuments().putRegistryPolicy(DENY_PRIVATE));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void base_withoutCredentials_stillChallenges() {
        RegistryResponse response = edge.get("/v2/");

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer realm=");
    }

    @Test
    void manifest_withoutToken_200() {
        assertStatus(edge.get("/v2/up/library/app/manifests/1"), 200);
    }

    @Test
    void token_withoutCredentials_anonymousTokenThatPulls() {
        RegistryResponse response = edge.get(tokenPath("repository:up/library/app:pull"));

        assertStatus(response, 200);
        String token = response.json().getString("token");
        assertThat(claims(token).getString("sub")).isEqualTo("anonymous");
        assertThat(claims(token).containsKey("account")).isFalse();
        assertStatus(edge.get("/v2/up/library/app/manifests/1", "Authorization", bearer(token)), 200);
    }

    @Test
    void manifest_anonymousWhereAStatementDeniesEveryone_403() {
        RegistryResponse response = edge.get("/v2/up/private/app/manifests/1");

        assertErrorCode(response, OciErrorCode.DENIED);
        assertThat(errorMessage(response)).contains("NoAnonymousPrivate");
        assertThat(upstream.requests("GET", ".*/private/app/.*")).isZero();
    }

    @Test
    void skopeo_withoutCredentials_pulls() throws Exception {
        Skopeo.copy("docker://" + edge.hostPort() + "/up/library/app:1", "dir:" + out.resolve("image"),
                "--src-tls-verify=false");

        assertThat(Files.exists(out.resolve("image/manifest.json"))).isTrue();
    }

    @Test
    void skopeo_withCredentialsWhereAnonymousIsDenied_pulls() throws Exception {
        Skopeo.copy("docker://" + edge.hostPort() + "/up/private/tool:1", "dir:" + out.resolve("image"),
                "--src-tls-verify=false", "--src-creds", "owner:" + AuthFixtures.PASSWORD);

        assertThat(Files.exists(out.resolve("image/manifest.json"))).isTrue();
    }
}
