package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.ControlHarness.ApiAnswer;
import io.cargohold.coordinator.Eventually;
import io.cargohold.coordinator.PagedLists;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagMutability;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TemplatesApiTest {

    static final JsonObject LIFECYCLE = new JsonObject("""
            {"rules": [{"rulePriority": 1, "description": "Expire whatever nobody pulled for 90 days",
              "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 90},
              "action": {"type": "expire"}}]}""");
    static final JsonObject POLICY = new JsonObject("""
            {"Version": "2012-10-17", "Statement": [{"Sid": "Pull", "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}""");

    private static UpstreamRegistry upstream;
    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) {
        upstream = UpstreamRegistry.anonymous();
        upstream.push(TestImages.writeImage(dir.resolve("layout"), "app", 21, 512), "library/app:1");
        node = ControlHarness.standalone(dir.resolve("node"), List.of(CacheRule.of("tpl", upstream.url()),
                CacheRule.of("plain", upstream.url()), CacheRule.of("later", upstream.url())));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node, upstream);
    }

    @Test
    void create_fullTemplate_describedWithPoliciesAsJsonAndAudited() {
        ApiAnswer created = node.call("POST", "/templates", new JsonObject().put("prefix", "full")
                .put("tagMutability", "IMMUTABLE").put("description", "mirrors").put("resourceTags",
                        new JsonObject().put("team", "platform")).put("lifecyclePolicy", LIFECYCLE)
                .put("repositoryPolicy", POLICY.encode()));

        assertThat(created.status()).isEqualTo(201);
        JsonObject described = node.call("GET", "/templates/full", null).json();
        assertThat(described.getString("tagMutability")).isEqualTo("IMMUTABLE");
        assertThat(described.getJsonObject("resourceTags").getString("team")).isEqualTo("platform");
        assertThat(described.getJsonObject("lifecyclePolicy")).isEqualTo(LIFECYCLE);
        assertThat(described.getJsonObject("repositoryPolicy")).isEqualTo(POLICY);
        assertThat(node.call("GET", "/templates", null).json().getJsonArray("templates")).isNotEmpty();
        assertThat(audit("templates.create", "templates/full").getJsonObject("after").getString("description"))
                .isEqualTo("mirrors");
    }

    @Test
    void create_everyFieldInvalid_400ListsEachAndStoresNothing() {
        ApiAnswer answer = node.call("POST", "/templates", new JsonObject().put("prefix", "Bad/")
                .put("tagMutability", "SOMETIMES").put("resourceTags", new JsonObject().put("team", 7))
                .put("lifecyclePolicy", new JsonObject().put("rules", new JsonArray()))
                .put("repositoryPolicy", new JsonObject().put("Version", "2012-10-17"))
                .put("applyToExisting", "yes"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
                .contains("templates.prefix", "templates.tagMutability", "templates.resourceTags.team",
                        "templates.repositoryPolicy", "templates.applyToExisting")
                .anyMatch(field -> field.startsWith("templates.lifecyclePolicy"));
        assertThat(answer.error().getString("message")).contains("(?:[a-z0-9]+");
        assertThat(node.call("GET", "/templates", null).json().getJsonArray("templates").stream()
                .map(t -> ((JsonObject) t).getString("prefix"))).doesNotContain("Bad/");
    }

    @Test
    void create_existing_409_unknown_404() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "dup"));

        assertThat(node.call("POST", "/templates", new JsonObject().put("prefix", "dup")).status()).isEqualTo(409);
        assertThat(node.call("GET", "/templates/none", null).status()).isEqualTo(404);
        assertThat(node.call("PUT", "/templates/none", new JsonObject()).status()).isEqualTo(404);
        assertThat(node.call("DELETE", "/templates/none", null).status()).isEqualTo(404);
    }

    @Test
    void update_invalidLifecyclePolicy_400AndTemplateUnchanged() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "kept").put("description", "before"));

        ApiAnswer answer = node.call("PUT", "/templates/kept", new JsonObject().put("description", "after")
                .put("lifecyclePolicy", "{\"rules\": 1}"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(node.call("GET", "/templates/kept", null).json().getString("description")).isEqualTo("before");
    }

    @Test
    void delete_template_goneAndAudited() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "gone"));

        assertThat(node.call("DELETE", "/templates/gone", null).status()).isEqualTo(204);
        assertThat(node.call("GET", "/templates/gone", null).status()).isEqualTo(404);
        assertThat(audit("templates.delete", "templates/gone").getValue("after")).isNull();
    }

    @Test
    void firstPull_longestPrefixTemplateOrRoot_applied() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "ROOT").put("description", "default"));
        node.call("POST", "/templates", new JsonObject().put("prefix", "tpl").put("tagMutability", "IMMUTABLE")
                .put("lifecyclePolicy", LIFECYCLE).put("repositoryPolicy", POLICY).put("description", "tpl")
                .put("resourceTags", new JsonObject().put("cost-centre", "42")));
        node.call("POST", "/templates", new JsonObject().put("prefix", "tpl/library/other"));

        assertThat(pull("tpl/library/app")).isEqualTo(200);
        assertThat(pull("plain/library/app")).isEqualTo(200);

        Repository templated = repository("tpl/library/app");
        assertThat(templated.settings().tagMutability()).isEqualTo(TagMutability.IMMUTABLE);
        assertThat(templated.settings().description()).isEqualTo("tpl");
        assertThat(templated.settings().resourceTags()).containsEntry("cost-centre", "42");
        assertThat(new JsonObject(templated.settings().lifecyclePolicy())).isEqualTo(LIFECYCLE);
        assertThat(new JsonObject(templated.settings().repositoryPolicy())).isEqualTo(POLICY);
        assertThat(repository("plain/library/app").settings().description()).isEqualTo("default");
        assertThat(repository("plain/library/app").settings().tagMutability()).isEqualTo(TagMutability.MUTABLE);
    }

    @Test
    void update_laterRepositoriesOnly_unlessApplyToExisting() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "later").put("description", "v1"));
        assertThat(pull("later/library/app")).isEqualTo(200);

        node.call("PUT", "/templates/later", new JsonObject().put("description", "v2"));
        assertThat(repository("later/library/app").settings().description()).isEqualTo("v1");

        ApiAnswer applied = node.call("PUT", "/templates/later", new JsonObject().put("description", "v3")
                .put("tagMutability", "IMMUTABLE").put("applyToExisting", true));

        assertThat(applied.status()).isEqualTo(200);
        assertThat(applied.json().getJsonArray("appliedTo")).containsExactly("later/library/app");
        assertThat(repository("later/library/app").settings().description()).isEqualTo("v3");
        assertThat(repository("later/library/app").settings().tagMutability()).isEqualTo(TagMutability.IMMUTABLE);
        assertThat(audit("repositories.applyTemplate", "later/library/app").getJsonObject("before")
                .getJsonObject("settings").getString("description")).isEqualTo("v1");
    }

    private static int pull(String name) {
        return Eventually.status(() -> node.registryGet("/v2/" + name + "/manifests/1").status(), 200);
    }

    private static Repository repository(String name) {
        return Await.await(node.metadata().repository(name)).orElseThrow();
    }

    private static JsonObject audit(String operation, String resource) {
        return Eventually.value(() -> node.audits().stream()
                .filter(a -> a.getString("operation").equals(operation) && a.getString("resource").equals(resource))
                .reduce((first, second) -> second).orElse(null));
    }

    @Test
    void list_pagedAtTheBoundariesByPrefix() {
        node.call("POST", "/templates", new JsonObject().put("prefix", "paging/a"));
        node.call("POST", "/templates", new JsonObject().put("prefix", "paging/b"));

        PagedLists.assertPagedAtBoundaries(node, "/templates", "templates", "prefix");
        assertThat(PagedLists.walk(node, "/templates", "templates", "prefix", 1)).isSorted()
                .contains("paging/a", "paging/b");
    }
}
