package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigValidator;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.ControlHarness.ApiAnswer;
import io.cargohold.coordinator.Eventually;
import io.cargohold.coordinator.PagedLists;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RulesApiTest {

    private static UpstreamRegistry open;
    private static UpstreamRegistry locked;
    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) {
        open = UpstreamRegistry.anonymous();
        locked = UpstreamRegistry.basicAuth("puller", "s3cret");
        open.push(TestImages.writeImage(dir.resolve("layout"), "app", 11, 1024), "library/app:1");
        node = ControlHarness.standalone(dir.resolve("node"), List.of(CacheRule.of("fromfile", open.url())));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node, open, locked);
    }

    private static JsonObject rule(String prefix, String url) {
        return new JsonObject().put("prefix", prefix).put("upstreamUrl", url);
    }

    @Test
    void create_validRule_storedListedAndAudited() {
        ApiAnswer created = node.call("POST", "/rules", rule("created", open.url()).put("refreshInterval", "PT6H")
                .put("quota", "20GiB"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().getString("source")).isEqualTo("api");
        assertThat(created.json().getBoolean("readOnly")).isFalse();
        assertThat(created.json().getString("refreshInterval")).isEqualTo("PT6H");
        assertThat(created.json().getString("quota")).isEqualTo("20GiB");
        JsonObject described = node.call("GET", "/rules/created", null).json();
        assertThat(described.getString("upstreamUrl")).isEqualTo(open.url());
        assertThat(node.call("GET", "/rules", null).json().getJsonArray("rules").stream()
                .map(r -> ((JsonObject) r).getString("prefix"))).contains("fromfile", "created");
        JsonObject audit = lastAudit("rules.create", "rules/created");
        assertThat(audit.getString("who")).isEqualTo("admin");
        assertThat(audit.getValue("before")).isNull();
        assertThat(audit.getJsonObject("after").getString("upstreamUrl")).isEqualTo(open.url());
    }

    @Test
    void create_badPrefix_400NamesFieldValueAndRegexAndStoresNothing() {
        ApiAnswer answer = node.call("POST", "/rules", rule("Bad/", open.url()));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo("rules.prefix");
        assertThat(answer.error().getString("value")).isEqualTo("Bad/");
        assertThat(answer.error().getString("message")).isEqualTo("must match " + ConfigValidator.PREFIX_REGEX);
        assertThat(node.call("GET", "/rules/Bad/", null).status()).isEqualTo(404);
    }

    @Test
    void create_eachInvalidField_400NamingIt() {
        assertInvalid(rule("p1", "ftp://x"), "rules.upstreamUrl", "ftp://x");
        assertInvalid(rule("p2", null), "rules.upstreamUrl", null);
        assertInvalid(rule("p3", open.url()).put("refreshInterval", "daily"), "rules.refreshInterval", "daily");
        assertInvalid(rule("p4", open.url()).put("refreshInterval", "-PT1H"), "rules.refreshInterval", "PT-1H");
        assertInvalid(rule("p5", open.url()).put("credentials", "env:"), "rules.credentials", "env:");
        assertInvalid(rule("p6", open.url()).put("upstreamUrl", 42), "rules.upstreamUrl", "42");
        assertInvalid(rule("p7", open.url()).put("colour", "red"), "rules.colour", "red");
        assertInvalid(rule("p8", open.url()).put("platforms", List.of("linux")), "rules.platforms", "linux");
        assertInvalid(rule("p9", open.url()).put("customRoleArn", "arn:aws:iam::1:role/x"), "rules.customRoleArn",
                "arn:aws:iam::1:role/x");
        assertInvalid(rule("p10", open.url()).put("quota", "5 Mb"), "rules.quota", "5 Mb");
        assertInvalid(rule("p11", open.url()).put("tls", new JsonObject().put("caFile", "/nonexistent/ca.pem")),
                "rules.tls.caFile", "/nonexistent/ca.pem");
        assertInvalid(rule("p12", open.url()).put("tls", new JsonObject().put("insecureSkipVerify", "yes")),
                "rules.tls.insecureSkipVerify", "yes");
        for (String prefix : List.of("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12")) {
            assertThat(node.call("GET", "/rules/" + prefix, null).status()).as(prefix).isEqualTo(404);
        }
    }

    @Test
    void create_bodyNotJson_400() {
        ApiAnswer answer = node.call("POST", "/rules", "{not json");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo("body");
    }

    @Test
    void create_existingOrConfigPrefix_409() {
        assertThat(node.call("POST", "/rules", rule("twice", open.url())).status()).isEqualTo(201);

        ApiAnswer again = node.call("POST", "/rules", rule("twice", locked.url()));
        ApiAnswer config = node.call("POST", "/rules", rule("fromfile", locked.url()));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error().getString("field")).isEqualTo("rules.prefix");
        assertThat(node.call("GET", "/rules/twice", null).json().getString("upstreamUrl")).isEqualTo(open.url());
        assertThat(config.status()).isEqualTo(409);
        assertThat(config.error().getString("message")).contains("config file", "read-only");
    }

    @Test
    void configRule_listedReadOnlyAndUnchangeable() {
        JsonObject described = node.call("GET", "/rules/fromfile", null).json();
        ApiAnswer update = node.call("PUT", "/rules/fromfile", new JsonObject().put("refreshInterval", "PT1H"));
        ApiAnswer delete = node.call("DELETE", "/rules/fromfile", null);

        assertThat(described.getString("source")).isEqualTo("config");
        assertThat(described.getBoolean("readOnly")).isTrue();
        assertThat(update.status()).isEqualTo(409);
        assertThat(update.error().getString("message")).contains("read-only");
        assertThat(delete.status()).isEqualTo(409);
        assertThat(node.call("GET", "/rules/fromfile", null).json().getString("refreshInterval")).isEqualTo("PT24H");
    }

    @Test
    void unknownRule_404OnEveryVerb() {
        assertThat(node.call("GET", "/rules/nope", null).status()).isEqualTo(404);
        assertThat(node.call("PUT", "/rules/nope", new JsonObject()).status()).isEqualTo(404);
        assertThat(node.call("DELETE", "/rules/nope", null).status()).isEqualTo(404);
        assertThat(node.call("POST", "/rules/nope/validate", null).status()).isEqualTo(404);
        assertThat(node.call("GET", "/rules/nope", null).error().getString("message")).contains("nope");
    }

    @Test
    void update_inPlace_changesUrlCredentialsAndIntervalAndAuditsBeforeAfter() {
        node.call("POST", "/rules", rule("moving", open.url()));

        ApiAnswer updated = node.call("PUT", "/rules/moving", new JsonObject().put("upstreamUrl", locked.url())
                .put("credentials", "puller:s3cret").put("refreshInterval", "PT5M"));

        assertThat(updated.status()).isEqualTo(200);
        JsonObject described = node.call("GET", "/rules/moving", null).json();
        assertThat(described.getString("upstreamUrl")).isEqualTo(locked.url());
        assertThat(described.getString("credentials")).isEqualTo("puller:s3cret");
        assertThat(described.getString("refreshInterval")).isEqualTo("PT5M");
        JsonObject audit = lastAudit("rules.update", "rules/moving");
        assertThat(audit.getJsonObject("before").getString("upstreamUrl")).isEqualTo(open.url());
        assertThat(audit.getJsonObject("after").getString("upstreamUrl")).isEqualTo(locked.url());
    }

    @Test
    void update_denyList_refusesAtOnceShownAndAudited() {
        node.call("POST", "/rules", rule("gated", open.url()));
        assertThat(Eventually.status(() -> node.registryGet("/v2/gated/library/app/manifests/1").status(), 200))
                .isEqualTo(200);

        ApiAnswer updated = node.call("PUT", "/rules/gated", new JsonObject()
                .put("deny", new JsonArray().add("library/*")));

        assertThat(updated.status()).isEqualTo(200);
        assertThat(Eventually.status(() -> node.registryGet("/v2/gated/library/app/manifests/1").status(), 403))
                .isEqualTo(403);
        ApiAnswer refused = node.registryGet("/v2/gated/library/app/manifests/1");
        assertThat(refused.error().getString("code")).isEqualTo("DENIED");
        assertThat(refused.error().getString("message")).contains("denied by rule 'gated' pattern 'library/*'");
        assertThat(node.call("GET", "/rules/gated", null).json().getJsonArray("deny"))
                .isEqualTo(new JsonArray().add("library/*"));
        JsonObject audit = lastAudit("rules.update", "rules/gated");
        assertThat(audit.getJsonObject("after").getJsonArray("deny")).isEqualTo(new JsonArray().add("library/*"));
    }

    @Test
    void update_invalidPattern_400NamingTheEntry() {
        node.call("POST", "/rules", rule("patterned", open.url()));

        ApiAnswer answer = node.call("PUT", "/rules/patterned", new JsonObject()
                .put("allow", new JsonArray().add("library/*").add("Bad**")));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo("rules.allow[1]");
        assertThat(answer.error().getString("value")).isEqualTo("Bad**");
        assertThat(answer.error().getString("message")).startsWith("is not a valid pattern");
    }

    @Test
    void update_oneInvalidField_400AndRuleUnchanged() {
        node.call("POST", "/rules", rule("steady", open.url()));
        lastAudit("rules.create", "rules/steady");
        int audits = node.audits().size();

        ApiAnswer answer = node.call("PUT", "/rules/steady", new JsonObject().put("upstreamUrl", locked.url())
                .put("refreshInterval", "PT0S"));
        ApiAnswer renamed = node.call("PUT", "/rules/steady", new JsonObject().put("prefix", "other"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo("rules.refreshInterval");
        assertThat(renamed.status()).isEqualTo(400);
        assertThat(renamed.error().getString("field")).isEqualTo("rules.prefix");
        assertThat(node.call("GET", "/rules/steady", null).json().getString("upstreamUrl")).isEqualTo(open.url());
        assertThat(node.audits()).hasSize(audits);
    }

    @Test
    void delete_apiRule_goneAndAudited() {
        node.call("POST", "/rules", rule("doomed", open.url()));

        ApiAnswer deleted = node.call("DELETE", "/rules/doomed", null);

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(node.call("GET", "/rules/doomed", null).status()).isEqualTo(404);
        assertThat(lastAudit("rules.delete", "rules/doomed").getValue("after")).isNull();
    }

    @Test
    void validate_reachableAnonymousUpstream_valid() {
        node.call("POST", "/rules", rule("checked", open.url()));

        JsonObject report = node.call("POST", "/rules/checked/validate", null).json();

        assertThat(report.getBoolean("valid")).isTrue();
        assertThat(report.getJsonArray("checks")).hasSize(3);
    }

    @Test
    void validate_rightAndWrongCredentials_authenticationReported() {
        node.call("POST", "/rules", rule("right", locked.url()).put("credentials", "puller:s3cret"));
        node.call("POST", "/rules", rule("wrong", locked.url()).put("credentials", "puller:guess"));
        node.call("POST", "/rules", rule("none", locked.url()));

        assertThat(node.call("POST", "/rules/right/validate", null).json().getBoolean("valid")).isTrue();
        JsonObject wrong = node.call("POST", "/rules/wrong/validate", null).json();
        assertThat(wrong.getBoolean("valid")).isFalse();
        assertThat(check(wrong, "authentication").getString("message")).contains("rejected with 401");
        JsonObject none = node.call("POST", "/rules/none/validate", null).json();
        assertThat(check(none, "authentication").getString("message")).contains("none are configured");
    }

    @Test
    void validate_unreadableCredentialsOrDeadUpstream_failingCheckNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.json");
        node.call("POST", "/rules", rule("unreadable", open.url()).put("credentials", "file:" + missing));
        node.call("POST", "/rules", rule("dead", "http://127.0.0.1:1"));

        JsonObject unreadable = node.call("POST", "/rules/unreadable/validate", null).json();
        JsonObject dead = node.call("POST", "/rules/dead/validate", null).json();

        assertThat(unreadable.getBoolean("valid")).isFalse();
        assertThat(check(unreadable, "credentials").getString("message")).contains("cannot be read");
        assertThat(dead.getBoolean("valid")).isFalse();
        assertThat(check(dead, "upstream").getBoolean("ok")).isFalse();
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void validate_privateCaUpstream_trustedThroughCaFileAndNamedUntrustedWithout(@TempDir Path dir) {
        OpensslCa authority = OpensslCa.create(dir);
        try (UpstreamRegistry internal = UpstreamRegistry.https(authority.issue("registry", "IP:127.0.0.1"), null)) {
            JsonObject trusted = node.call("POST", "/rules/validate", rule("internal", internal.url())
                    .put("tls", new JsonObject().put("caFile", authority.certificate().toString()))).json();
            JsonObject untrusted = node.call("POST", "/rules/validate", rule("internal", internal.url())).json();

            assertThat(trusted.getBoolean("valid")).as(trusted.encode()).isTrue();
            assertThat(untrusted.getBoolean("valid")).isFalse();
            assertThat(check(untrusted, "upstream").getString("message"))
                    .contains("TLS: certificate not trusted (PKIX path building failed");
        }
    }

    @Test
    void validate_ruleNotCreatedYet_checkedAndNothingStored() {
        JsonObject report = node.call("POST", "/rules/validate", rule("draft", locked.url())
                .put("credentials", "puller:s3cret")).json();
        ApiAnswer invalid = node.call("POST", "/rules/validate", rule("Draft", locked.url()));

        assertThat(report.getBoolean("valid")).isTrue();
        assertThat(check(report, "authentication").getString("message")).contains("accepted");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.error().getString("field")).isEqualTo("rules.prefix");
        assertThat(node.call("GET", "/rules/draft", null).status()).isEqualTo(404);
    }

    @Test
    void apiRule_usedByTheEdgeWithoutRestart() {
        assertThat(node.registryGet("/v2/live/library/app/manifests/1").status()).isEqualTo(404);

        node.call("POST", "/rules", rule("live", open.url()));

        assertThat(Eventually.status(() -> node.registryGet("/v2/live/library/app/manifests/1").status(), 200))
                .isEqualTo(200);
    }

    private static JsonObject check(JsonObject report, String name) {
        return report.getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(check -> check.getString("check").equals(name)).findFirst().orElseThrow();
    }

    private static void assertInvalid(JsonObject body, String field, String value) {
        ApiAnswer answer = node.call("POST", "/rules", body);
        assertThat(answer.status()).as(body.encode()).isEqualTo(400);
        assertThat(answer.error().getString("field")).as(body.encode()).isEqualTo(field);
        assertThat(answer.error().getString("value")).as(body.encode()).isEqualTo(value);
        assertThat(answer.error().getString("message")).as(body.encode()).isNotBlank();
    }

    private static JsonObject lastAudit(String operation, String resource) {
        return Eventually.value(() -> node.audits().stream()
                .filter(a -> a.getString("operation").equals(operation) && a.getString("resource").equals(resource))
                .reduce((first, second) -> second).orElse(null));
    }

    @Test
    void list_configAndApiRules_pagedAtTheBoundariesByPrefix() {
        node.call("POST", "/rules", rule("paging/a", open.url()));
        node.call("POST", "/rules", rule("paging/b", open.url()));

        PagedLists.assertPagedAtBoundaries(node, "/rules", "rules", "prefix");
        List<String> prefixes = PagedLists.walk(node, "/rules", "rules", "prefix", 1);
        assertThat(prefixes).isSorted().contains("fromfile", "paging/a", "paging/b");
    }
}
