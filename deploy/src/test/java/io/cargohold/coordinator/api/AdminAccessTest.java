package io.cargohold.coordinator.api;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.spi.Repository;
import io.cargohold.testkit.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control API with {@code auth}: the users named in {@code auth.admins} get in, with HTTP basic
 * credentials, and are the {@code who} of the audit events of their changes; other users may only read
 * the repositories their policies let them see, and are refused everything else before anything is read
 * or written.
 */
class AdminAccessTest {

    private static final String PASSWORD = "admin-pass";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) {
        String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
        CargoholdConfig.AuthConfig auth = new CargoholdConfig.AuthConfig(false, List.of(
                new CargoholdConfig.User("ops", hash, "123456789012", null),
                new CargoholdConfig.User("dev", hash, "123456789012", null)),
                null, null, null, null, null, null, null, List.of("ops"));
        node = ControlHarness.standalone(dir.resolve("node"), auth);
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node);
    }

    @Test
    void noCredentials_401WithABasicChallenge() throws Exception {
        HttpResponse<String> answer = send("GET", "/rules", null, null);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cargohold-admin\"");
        assertThat(new JsonObject(answer.body()).getJsonArray("errors").getJsonObject(0).getString("message"))
                .contains("auth.admins");
    }

    @Test
    void wrongPasswordOrAUserWhoIsNotAnAdmin_refusedAndNothingWritten() throws Exception {
        JsonObject rule = new JsonObject().put("prefix", "refused").put("upstreamUrl", "http://127.0.0.1:1");

        assertThat(send("POST", "/rules", rule, basic("ops", "wrong")).statusCode()).isEqualTo(401);
        HttpResponse<String> notAdmin = send("POST", "/rules", rule, basic("dev", PASSWORD));
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(notAdmin.body()).contains("dev is not one of auth.admins");

        assertThat(send("GET", "/rules/refused", null, basic("ops", PASSWORD)).statusCode()).isEqualTo(404);
    }

    @Test
    void admin_changesAndIsNamedInTheAuditEvent() throws Exception {
        JsonObject rule = new JsonObject().put("prefix", "byops").put("upstreamUrl", "http://127.0.0.1:1");

        HttpResponse<String> created = send("POST", "/rules", rule, basic("ops", PASSWORD));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonObject audit = Eventually.value(() -> node.audits().stream()
                .filter(entry -> entry.getString("resource").equals("rules/byops")).findFirst().orElse(null));
        assertThat(audit.getString("who")).isEqualTo("ops");
    }

    @Test
    void reader_seesOnlyTheRepositoriesTheirPoliciesAllow_andNothingElse() throws Exception {
        for (String name : List.of("up/shared", "up/private")) {
            Await.await(node.metadata().createRepositoryIfAbsent(new Repository(name, "up", "http://127.0.0.1:1",
                    name.substring(3), System.currentTimeMillis())));
        }
        JsonArray reads = new JsonArray(List.of("ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer"));
        String ops = basic("ops", PASSWORD);
        String dev = basic("dev", PASSWORD);
        assertThat(send("PUT", "/repositories/up/shared/policy", policy("Allow", reads), ops).statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/repositories/up/private/policy", policy("Deny", reads), ops).statusCode()).isEqualTo(200);

        HttpResponse<String> listed = send("GET", "/repositories", null, dev);

        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(names(listed)).contains("up/shared").doesNotContain("up/private");
        assertThat(names(send("GET", "/repositories", null, ops))).contains("up/shared", "up/private");
        assertThat(send("GET", "/repositories/up/shared/images", null, dev).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/repositories/up/private/images", null, dev).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/repositories/up/private", null, dev).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/repositories/up/shared/policy", null, dev).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/repositories/up/shared/images/batch-delete", new JsonObject(), dev).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/console/summary", null, dev).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/repositories/../rules", null, dev).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/repositories/up/shared/polic%79", null, dev).statusCode()).isEqualTo(403);
        assertThat(new JsonObject(send("GET", "/console/session", null, dev).body()))
                .isEqualTo(new JsonObject().put("user", "dev").put("admin", false));
        assertThat(new JsonObject(send("GET", "/console/session", null, ops).body()))
                .isEqualTo(new JsonObject().put("user", "ops").put("admin", true));
    }

    private static JsonObject policy(String effect, JsonArray actions) {
        return new JsonObject().put("Version", "2012-10-17").put("Statement", new JsonArray().add(new JsonObject()
                .put("Sid", "Dev" + effect).put("Effect", effect)
                .put("Principal", new JsonObject().put("AWS", "123456789012")).put("Action", actions)));
    }

    private static List<String> names(HttpResponse<String> listed) {
        return new JsonObject(listed.body()).getJsonArray("repositories").stream()
                .map(repository -> ((JsonObject) repository).getString("name")).toList();
    }

    private static HttpResponse<String> send(String method, String path, JsonObject body, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.adminUrl() + ControlApi.BASE + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
