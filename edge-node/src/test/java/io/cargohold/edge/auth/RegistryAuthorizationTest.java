package io.cargohold.edge.auth;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.RepositoryTemplate;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static io.cargohold.edge.auth.AuthFixtures.ARN_PREFIX;
import static io.cargohold.edge.auth.AuthFixtures.PASSWORD;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.token;
import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pulls under policies, with skopeo and over raw HTTP: the registry policy lets the partner account's
 * organization import and create repositories under {@code up/} (and only import under
 * {@code up/library/importonly*}); repositories a pull creates get, from the creation template of {@code up},
 * a policy that lets the partner account pull and explicitly denies other organizations and the user mallory.
 * The cache's own account is allowed what nothing denies.
 */
class RegistryAuthorizationTest {

    static final String REGISTRY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPullThrough", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
               "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
               "Resource": "%1$sup/*",
               "Condition": {"StringEquals": {"cargohold:PrincipalOrgID": "o-partner"}}},
              {"Sid": "ImportOnly", "Effect": "Deny", "Principal": "*", "Action": "ecr:CreateRepository",
               "Resource": "%1$sup/library/importonly*"}
            ]}""".formatted(ARN_PREFIX);
    static final String REPOSITORY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPulls", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:ListImages"]},
              {"Sid": "DenyOtherOrgs", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",
               "Condition": {"StringNotEquals": {"cargohold:PrincipalOrgID": "o-partner"}}},
              {"Sid": "DenyMallory", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/mallory"},
               "Action": "ecr:BatchGetImage"}
            ]}""";
    private static final String ACCEPT = MediaType.OCI_MANIFEST + ", " + MediaType.DOCKER_MANIFEST;

    @TempDir
    static Path layout;
    @TempDir
    Path out;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        TestImages.Image image = TestImages.writeImage(layout, "app", 71, 1024, 2048);
        for (String name : new String[] {"app", "cross", "skopeo-cross", "orgmiss", "importonly", "mallory",
                "stranger", "anonymous", "owner", "podman"}) {
            upstream.push(image, "library/" + name + ":1");
        }
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, null))
                .template(new RepositoryTemplate("up", RepositorySettings.DEFAULTS.withRepositoryPolicy(REPOSITORY_POLICY)))
                .start();
        await(edge.registryDocuments().putRegistryPolicy(REGISTRY_POLICY));
        assertStatus(pull("owner", "up/library/app"), 200);
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    /** A manifest GET of {@code <repository>:1} with a token of {@code user}. */
    private static RegistryResponse pull(String user, String repository) {
        return edge.get("/v2/" + repository + "/manifests/1", "Accept", ACCEPT,
                "Authorization", bearer(token(edge, user, repository)));
    }

    private String skopeoPull(String repository, String... creds) {
        String[] args = creds.length == 0 ? new String[] {"--src-tls-verify=false"}
                : new String[] {"--src-tls-verify=false", "--src-creds", creds[0] + ":" + PASSWORD};
        return Skopeo.copy("docker://" + edge.hostPort() + "/" + repository + ":1", "dir:" + out.resolve("image"),
                args);
    }

    private static void assertDenied(RegistryResponse response, String action, String statement) {
        assertErrorCode(response, OciErrorCode.DENIED);
        JsonObject detail = response.json().getJsonArray("errors").getJsonObject(0).getJsonObject("detail");
        assertThat(detail.getString("action")).isEqualTo(action);
        assertThat(errorMessage(response)).contains(action);
        if (statement == null) {
            assertThat(detail.getString("decision")).isEqualTo("IMPLICIT_DENY");
        } else {
            assertThat(detail.getString("decision")).isEqualTo("EXPLICIT_DENY");
            assertThat(detail.getString("statement")).isEqualTo(statement);
            assertThat(errorMessage(response)).contains(statement);
        }
    }

    @Test
    void skopeo_ownAccountWithCredentials_pullsAndCreatesTheRepository() throws Exception {
        skopeoPull("up/library/owner", "owner");

        assertThat(Files.exists(out.resolve("image/manifest.json"))).isTrue();
        assertThat(await(edge.metadata().repository("up/library/owner"))).isPresent();
    }

    @Test
    void skopeo_withoutCredentials_failsUnauthorized() {
        assertThatThrownBy(() -> skopeoPull("up/library/app"))
                .isInstanceOf(Skopeo.SkopeoException.class).hasMessageContaining("unauthorized")
                .hasMessageContaining("credentials required");
    }

    @Test
    void skopeo_wrongPassword_failsUnauthorized() {
        assertThatThrownBy(() -> Skopeo.copy("docker://" + edge.hostPort() + "/up/library/app:1",
                "dir:" + out.resolve("image"), "--src-tls-verify=false", "--src-creds", "partner:wrong"))
                .isInstanceOf(Skopeo.SkopeoException.class).hasMessageContaining("invalid user name or password");
    }

    @Test
    void skopeo_crossAccountFirstPull_importCreateAndPullActionsSuffice() throws Exception {
        skopeoPull("up/library/skopeo-cross", "partner");

        assertThat(Files.readAllBytes(out.resolve("image/manifest.json"))).isNotEmpty();
        Optional<Repository> created = await(edge.metadata().repository("up/library/skopeo-cross"));
        assertThat(created).isPresent();
        assertThat(created.get().settings().repositoryPolicy()).isEqualTo(REPOSITORY_POLICY);
    }

    /** podman's login stores the credentials the token endpoint accepted; skopeo pulls with that auth file. */
    @Test
    void podman_login_credentialsThatPullThroughTheTokenFlow() throws Exception {
        Path authFile = out.resolve("auth.json");
        String registry = edge.hostPort();

        String login = podman("login", "--authfile", authFile.toString(), "--tls-verify=false",
                "-u", "partner", "-p", PASSWORD, registry);
        Skopeo.copy("docker://" + registry + "/up/library/podman:1", "dir:" + out.resolve("image"),
                "--src-tls-verify=false", "--authfile", authFile.toString());

        assertThat(login).contains("Login Succeeded");
        assertThat(Files.exists(out.resolve("image/manifest.json"))).isTrue();
        assertThatThrownBy(() -> podman("login", "--authfile", out.resolve("wrong.json").toString(),
                "--tls-verify=false", "-u", "partner", "-p", "wrong", registry))
                .hasMessageContaining("invalid username/password");
    }

    /** Runs podman as root without a daemon, its storage under this test's directory; fails unless it exits 0. */
    private String podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman", "--root", out.resolve("root").toString(),
                "--runroot", out.resolve("runroot").toString(), "--storage-driver", "vfs"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    @Test
    void skopeo_deniedByStatement_failsNamingTheStatement() {
        assertThatThrownBy(() -> skopeoPull("up/library/app", "mallory"))
                .isInstanceOf(Skopeo.SkopeoException.class).hasMessageContaining("denied")
                .hasMessageContaining("DenyMallory");
    }

    @Test
    void skopeo_deniedByOrgCondition_failsNamingTheStatement() {
        assertThatThrownBy(() -> skopeoPull("up/library/app", "outsider"))
                .isInstanceOf(Skopeo.SkopeoException.class).hasMessageContaining("denied")
                .hasMessageContaining("DenyOtherOrgs");
    }

    @Test
    void manifest_crossAccountFirstPull_200AndBlobsFollow() {
        RegistryResponse manifest = pull("partner", "up/library/cross");

        assertStatus(manifest, 200);
        String layer = manifest.json().getJsonArray("layers").getJsonObject(0).getString("digest");
        RegistryResponse blob = edge.get("/v2/up/library/cross/blobs/" + layer,
                "Authorization", bearer(token(edge, "partner", "up/library/cross")));
        assertStatus(blob, 200);
    }

    @Test
    void manifest_crossAccountFirstPullWithoutCreate_403NamingCreateRepositoryUntilTheRepositoryExists() {
        assertDenied(pull("partner", "up/library/importonly"), "ecr:CreateRepository", "ImportOnly");
        assertThat(upstream.requests("GET", ".*/importonly/manifests/.*")).isZero();

        long now = System.currentTimeMillis();
        await(edge.metadata().createRepositoryIfAbsent(new Repository("up/library/importonly", "up", upstream.url(),
                "library/importonly", now, RepositorySettings.DEFAULTS.withRepositoryPolicy(REPOSITORY_POLICY))));

        assertStatus(pull("partner", "up/library/importonly"), 200);
    }

    @Test
    void manifest_otherOrganizationFirstPull_403NamingTheImport() {
        assertDenied(pull("outsider", "up/library/orgmiss"), "ecr:BatchImportUpstreamImage", null);
        assertThat(upstream.requests("GET", ".*/orgmiss/manifests/.*")).isZero();
    }

    @Test
    void manifest_otherOrganizationCached_403ByOrgConditionStatement() {
        assertDenied(pull("outsider", "up/library/app"), "ecr:BatchGetImage", "DenyOtherOrgs");
    }

    @Test
    void manifest_deniedUserCached_403ByStatement() {
        assertDenied(pull("mallory", "up/library/app"), "ecr:BatchGetImage", "DenyMallory");
    }

    @Test
    void manifest_partnerCached_200() {
        assertStatus(pull("partner", "up/library/app"), 200);
    }

    @Test
    void manifest_strangerFirstPull_403ImplicitDenyOfTheImport() {
        assertDenied(pull("stranger", "up/library/stranger"), "ecr:BatchImportUpstreamImage", null);
    }

    @Test
    void tags_partnerAllowedStrangerDenied() {
        RegistryResponse allowed = edge.get("/v2/up/library/app/tags/list",
                "Authorization", bearer(token(edge, "partner", "up/library/app")));
        assertStatus(allowed, 200);
        assertThat(allowed.json().getJsonArray("tags").getList()).contains("1");

        RegistryResponse denied = edge.get("/v2/up/library/app/tags/list",
                "Authorization", bearer(token(edge, "stranger", "up/library/app")));
        assertDenied(denied, "ecr:ListImages", "DenyOtherOrgs");
    }

    @Test
    void manifest_noToken_401() {
        assertErrorCode(edge.get("/v2/up/library/app/manifests/1"), OciErrorCode.UNAUTHORIZED);
    }
}
