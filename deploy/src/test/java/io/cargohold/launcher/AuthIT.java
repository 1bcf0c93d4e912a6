package io.cargohold.launcher;

import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end with {@code auth}: the assembled jar with users and a registry policy seeded from a file, skopeo
 * pulling with and without credentials, the control API's changes open to admins only (a 401 without credentials,
 * a 403 for a user who is not an admin, {@code ctl --user}), a repository policy put through it deciding the next
 * pulls, a cross-account first pull under the policy of a creation template, and a restart on the same storage
 * keeping the registry policy and the signing key (a token issued before the restart still works).
 */
class AuthIT {

    private static final String PASSWORD = "it-s3cret";
    private static final String REGISTRY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerImports", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
               "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/up/*"}]}""";
    private static final String REPOSITORY_POLICY = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "PartnerPulls", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
              {"Sid": "DenyOtherOrgs", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",
               "Condition": {"StringNotEquals": {"cargohold:PrincipalOrgID": "o-partner"}}}]}""";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void standaloneWithAuth_credentialsPoliciesAndControlApi_surviveARestart() throws Exception {
        Path layout = dir.resolve("layout");
        TestImages.Image image = TestImages.writeImage(layout, "single", 21, 300_000, 20_000);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            upstream.push(image, "library/fresh:1");
            Files.writeString(dir.resolve("registry-policy.json"), REGISTRY_POLICY);
            int port = CargoholdProcess.freePort();
            int adminPort = CargoholdProcess.freePort();
            String config = config(port, adminPort, upstream);
            String app = "docker://127.0.0.1:" + port + "/up/library/app:1";
            String tokenBeforeRestart;
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                assertThatThrownBy(() -> Skopeo.copy(app, "dir:" + dir.resolve("anonymous"),
                        "--src-tls-verify=false")).hasMessageContaining("unauthorized");

                Skopeo.copy(app, "dir:" + dir.resolve("owner"), "--src-tls-verify=false", "--src-creds",
                        "owner:" + PASSWORD);
                assertThat(Files.readAllBytes(dir.resolve("owner/manifest.json"))).isEqualTo(image.content());

                assertThatThrownBy(() -> Skopeo.copy(app, "dir:" + dir.resolve("partner-before"),
                        "--src-tls-verify=false", "--src-creds", "partner:" + PASSWORD))
                        .hasMessageContaining("denied").hasMessageContaining("ecr:BatchGetImage");

                HttpResponse<String> anonymous = send(adminPort, "GET", "/api/v1/rules", null, null);
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                        .hasValue("Basic realm=\"cargohold-admin\"");
                assertThat(send(adminPort, "GET", "/api/v1/rules", null, basic("partner")).statusCode())
                        .as("a user who is not an admin").isEqualTo(403);
                assertThat(ctl(adminPort, "rules", "list")).contains("up");

                HttpResponse<String> put = send(adminPort, "PUT", "/api/v1/repositories/up/library/app/policy",
                        REPOSITORY_POLICY);
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

                Skopeo.copy(app, "dir:" + dir.resolve("partner"), "--src-tls-verify=false", "--src-creds",
                        "partner:" + PASSWORD);
                assertThat(Files.readAllBytes(dir.resolve("partner/manifest.json"))).isEqualTo(image.content());
                assertThatThrownBy(() -> Skopeo.copy(app, "dir:" + dir.resolve("outsider"),
                        "--src-tls-verify=false", "--src-creds", "outsider:" + PASSWORD))
                        .hasMessageContaining("denied").hasMessageContaining("DenyOtherOrgs");

                HttpResponse<String> template = send(adminPort, "POST", "/api/v1/templates", new JsonObject()
                        .put("prefix", "up").put("repositoryPolicy", new JsonObject(REPOSITORY_POLICY)).encode());
                assertThat(template.statusCode()).as(template.body()).isIn(200, 201);
                Skopeo.copy("docker://127.0.0.1:" + port + "/up/library/fresh:1", "dir:" + dir.resolve("fresh"),
                        "--src-tls-verify=false", "--src-creds", "partner:" + PASSWORD);
                assertThat(Files.readAllBytes(dir.resolve("fresh/manifest.json"))).isEqualTo(image.content());

                JsonObject decision = new JsonObject(send(adminPort, "POST", "/api/v1/policies/simulate",
                        new JsonObject().put("principal", new JsonObject().put("account", "111122223333")
                                .put("org", "o-other")).put("action", "ecr:BatchGetImage")
                                .put("resource", "up/library/app").encode()).body());
                assertThat(decision.getString("decision")).isEqualTo("EXPLICIT_DENY");
                assertThat(decision.getString("statement")).isEqualTo("DenyOtherOrgs");

                tokenBeforeRestart = new JsonObject(get(port, "/v2/token?service=cargohold&scope=repository:up/library/app:pull",
                        "Basic " + Base64.getEncoder().encodeToString(("partner:" + PASSWORD)
                                .getBytes(StandardCharsets.UTF_8))).body()).getString("token");
            }

            try (CargoholdProcess restarted = CargoholdProcess.standalone(dir, port, config)) {
                HttpResponse<String> manifest = get(port, "/v2/up/library/app/manifests/1", "Bearer " + tokenBeforeRestart);
                assertThat(manifest.statusCode()).as(manifest.body() + restarted.log()).isEqualTo(200);
                HttpResponse<String> registryPolicy = send(adminPort, "GET", "/api/v1/registry-policy", null);
                assertThat(new JsonObject(registryPolicy.body()).getJsonObject("policy"))
                        .isEqualTo(new JsonObject(REGISTRY_POLICY));
            }
        }
    }

    private String config(int port, int adminPort, UpstreamRegistry upstream) {
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
        String hash = bcrypt.encode(PASSWORD);
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: " + adminPort + " }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                + "auth:\n"
                + "  account: \"123456789012\"\n"
                + "  registryPolicy: file:" + dir.resolve("registry-policy.json") + "\n"
                + "  admins: [owner]\n"
                + "  users:\n"
                + "    - { name: owner, passwordBcrypt: \"" + hash + "\", account: \"123456789012\", org: o-partner }\n"
                + "    - { name: partner, passwordBcrypt: \"" + hash + "\", account: \"111122223333\", org: o-partner }\n"
                + "    - { name: outsider, passwordBcrypt: \"" + hash + "\", account: \"111122223333\", org: o-other }\n"
                + "rules:\n"
                + "  - prefix: up\n"
                + "    upstreamUrl: " + upstream.url() + "\n";
    }

    private HttpResponse<String> get(int port, String path, String authorization) throws IOException,
            InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A control API call as the admin {@code owner}. */
    private HttpResponse<String> send(int adminPort, String method, String path, String body) throws IOException,
            InterruptedException {
        return send(adminPort, method, path, body, basic("owner"));
    }

    private HttpResponse<String> send(int adminPort, String method, String path, String body, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code cargohold ctl --user owner} with the password in its environment; answers stdout, asserting exit 0. */
    private String ctl(int adminPort, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", CargoholdProcess.JAR.toAbsolutePath().toString(), "ctl", "--url",
                "http://127.0.0.1:" + adminPort, "--user", "owner"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CARGOHOLD_ADMIN_PASSWORD", PASSWORD);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
