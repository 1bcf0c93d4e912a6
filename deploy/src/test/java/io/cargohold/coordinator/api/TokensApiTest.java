package io.cargohold.coordinator.api;

import io.cargohold.auth.ApiTokens;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.coordinator.PagedLists;
import io.cargohold.testkit.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API token routes over HTTP: a token is shown once, when created, and never listed or audited;
 * deleted, it is gone; every bad field is a 400 naming it, and nothing is stored then.
 */
class TokensApiTest {

    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) {
        node = ControlHarness.standalone(dir.resolve("node"), List.of());
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node);
    }

    @Test
    void create_answersTheTokenOnce_listShowsItWithoutSecret_auditNeverHasIt() {
        ControlHarness.ApiAnswer created = node.call("POST", "/tokens",
                new JsonObject().put("name", "ci-bot").put("account", "111122223333").put("org", "o-team1"));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonObject token = created.json();
        String secret = token.getString("token");
        assertThat(secret).startsWith(ApiTokens.PREFIX);
        assertThat(token.getString("name")).isEqualTo("ci-bot");
        assertThat(token.getString("account")).isEqualTo("111122223333");
        assertThat(token.getString("org")).isEqualTo("o-team1");
        String id = token.getString("id");
        JsonObject listed = node.call("GET", "/tokens", null).json().getJsonArray("tokens").stream()
                .map(JsonObject.class::cast).filter(entry -> entry.getString("id").equals(id)).findFirst().orElseThrow();
        assertThat(listed.fieldNames()).containsExactlyInAnyOrder("id", "name", "account", "org", "createdAt");
        JsonObject audit = Eventually.value(() -> node.audits().stream()
                .filter(entry -> entry.getString("resource").equals("tokens/" + id)).findFirst().orElse(null));
        assertThat(audit.getString("operation")).isEqualTo("tokens.create");
        assertThat(audit.encode()).doesNotContain(secret.substring(ApiTokens.PREFIX.length() + 17));
    }

    @Test
    void create_withoutAccount_standsForTheRegistrysOwnAccount() {
        JsonObject token = node.call("POST", "/tokens", new JsonObject().put("name", "local")).json();

        assertThat(token.getString("account")).matches("[0-9]{12}");
        assertThat(token.getValue("org")).isNull();
    }

    @Test
    void delete_removesTheToken_thenIsUnknown() {
        String id = node.call("POST", "/tokens", new JsonObject().put("name", "short-lived")).json().getString("id");

        ControlHarness.ApiAnswer deleted = node.call("DELETE", "/tokens/" + id, null);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().getJsonObject("token").getString("name")).isEqualTo("short-lived");
        assertThat(node.call("GET", "/tokens", null).body()).doesNotContain(id);
        ControlHarness.ApiAnswer again = node.call("DELETE", "/tokens/" + id, null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.error().getString("field")).isEqualTo("id");
    }

    @Test
    void invalidFields_400NamingTheField_nothingStored() {
        int before = node.call("GET", "/tokens", null).json().getJsonArray("tokens").size();

        assertInvalid(new JsonObject(), "tokens.name");
        assertInvalid(new JsonObject().put("name", "has space"), "tokens.name");
        assertInvalid(new JsonObject().put("name", "ok").put("account", "12"), "tokens.account");
        assertInvalid(new JsonObject().put("name", "ok").put("org", "Org_1"), "tokens.org");
        assertInvalid(new JsonObject().put("name", 42), "tokens.name");
        ControlHarness.ApiAnswer badId = node.call("DELETE", "/tokens/not-an-id", null);
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.error().getString("field")).isEqualTo("id");

        assertThat(node.call("GET", "/tokens", null).json().getJsonArray("tokens")).hasSize(before);
    }

    private static void assertInvalid(JsonObject body, String field) {
        ControlHarness.ApiAnswer answer = node.call("POST", "/tokens", body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo(field);
    }

    @Test
    void list_pagedAtTheBoundariesByNameThenId() {
        String one = node.call("POST", "/tokens", new JsonObject().put("name", "paging")).json().getString("id");
        String other = node.call("POST", "/tokens", new JsonObject().put("name", "paging")).json().getString("id");
        node.call("POST", "/tokens", new JsonObject().put("name", "paging-2"));

        PagedLists.assertPagedAtBoundaries(node, "/tokens", "tokens", "id");
        List<String> ids = PagedLists.walk(node, "/tokens", "tokens", "id", 1);
        assertThat(ids).contains(one, other);
        List<String> names = PagedLists.walk(node, "/tokens", "tokens", "name", 1);
        assertThat(names).isSorted();
    }
}
