package io.cargohold.edge.auth;

import io.cargohold.edge.AccessLogLines;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.MediaType;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.auth.AuthFixtures.PASSWORD;
import static io.cargohold.edge.auth.AuthFixtures.TOKEN_KEY;
import static io.cargohold.edge.auth.AuthFixtures.basic;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.tokenPath;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log of authenticated pulls names the user and never a credential: not the password (basic
 * authentication on the token endpoint, the password grant, a failed login), not a token, not an
 * {@code Authorization} header.
 */
class AccessLogSecretsTest {

    private static final String REPOSITORY = "up/library/app";
    private static final String WRONG_PASSWORD = "not-the-" + PASSWORD;

    @TempDir
    static Path dir;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static AccessLogLines log;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        upstream.push(TestImages.writeImage(dir.resolve("layout"), "app", 93, 2_048), "library/app:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, TOKEN_KEY)).start();
        log = AccessLogLines.capture();
    }

    @AfterAll
    static void stop() {
        if (log != null) {
            log.close();
        }
        Await.closeAll(edge, upstream);
    }

    @Test
    void authenticatedPulls_logTheUserAndNoCredential() {
        Skopeo.copy("docker://" + edge.hostPort() + "/" + REPOSITORY + ":1", "dir:" + dir.resolve("pulled"),
                "--src-tls-verify=false", "--src-creds", "owner:" + PASSWORD);
        RegistryResponse basicLogin = edge.get(tokenPath("repository:" + REPOSITORY + ":pull"),
                "Authorization", basic("owner", PASSWORD));
        assertStatus(basicLogin, 200);
        String basicToken = basicLogin.json().getString("token");
        RegistryResponse grant = edge.postForm("/v2/token", "grant_type=password&client_id=test&username=partner"
                + "&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode("repository:" + REPOSITORY + ":pull", StandardCharsets.UTF_8));
        assertStatus(grant, 200);
        String grantToken = grant.json().getString("token");
        assertStatus(edge.get(tokenPath("repository:" + REPOSITORY + ":pull"),
                "Authorization", basic("owner", WRONG_PASSWORD)), 401);
        String manifest = "/v2/" + REPOSITORY + "/manifests/1";
        assertStatus(edge.get(manifest, "Accept", MediaType.OCI_MANIFEST, "Authorization", bearer(basicToken)), 200);
        assertStatus(edge.get(manifest, "Authorization", bearer(grantToken) + "x"), 401);

        JsonObject pulled = log.await("the bearer pull", line -> manifest.equals(line.getString("path"))
                && line.getInteger("status") == 200);
        assertThat(pulled.getString("user")).isEqualTo("owner");
        JsonObject login = log.await("the password grant", line -> "/v2/token".equals(line.getString("path")));
        assertThat(login.getString("method")).isEqualTo("POST");
        assertThat(login.getString("user")).isEqualTo("partner");
        assertThat(log.await("the failed login", line -> line.getInteger("status") == 401
                && line.getString("path").startsWith("/v2/token")).containsKey("user")).isFalse();
        log.await("the refused token", line -> manifest.equals(line.getString("path"))
                && line.getInteger("status") == 401);

        List<String> lines = log.lines();
        assertThat(lines).as("skopeo's token logins and pulls").anyMatch(line -> line.contains("\"user\":\"owner\"")
                && line.contains("/blobs/"));
        for (String secret : List.of(PASSWORD, WRONG_PASSWORD, basicToken, grantToken,
                basic("owner", PASSWORD).substring("Basic ".length()), "Bearer", "Basic", "eyJ")) {
            assertThat(lines).as("lines with %s", secret).noneMatch(line -> line.contains(secret));
        }
        assertThat(lines).noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("authorization"));
    }
}
