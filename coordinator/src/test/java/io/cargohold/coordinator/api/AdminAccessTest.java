package io.cargohold.coordinator.api;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.edge.EdgeHarness;
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
 * The control API with {@code auth}: only the users named in {@code auth.admins} get in, with HTTP
 * basic credentials; everyone else is refused before anything is read or written, and the admin's
 * name is the {@code who} of the audit events of their changes.
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
        EdgeHarness.closeAll(node);
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
