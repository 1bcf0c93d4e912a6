package io.cargohold.coordinator.cli;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.Eventually;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cargohold ctl} against a running control API: the same operations as the API tests. */
class CtlTest {

    private static UpstreamRegistry upstream;
    private static ControlHarness node;
    private static TestImages.Image image;

    @BeforeAll
    static void start(@TempDir Path dir) {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(dir.resolve("layout"), "app", 61, 512);
        upstream.push(image, "library/app:1");
        upstream.push(image, "library/app:2");
        node = ControlHarness.standalone(dir.resolve("node"), List.of(CacheRule.of("fromfile", upstream.url())));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node, upstream);
    }

    /** What one run printed and how it exited. */
    record Run(int exit, String out, String err) {
        JsonObject json() {
            return new JsonObject(out);
        }
    }

    private static Run ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--url", node.adminUrl()));
        all.addAll(List.of(args));
        int exit = new CommandLine(new Ctl()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void rules_createListGetUpdateValidateDelete() {
        Run created = ctl("rules", "create", "--prefix", "cli", "--upstream-url", upstream.url(),
                "--refresh-interval", "PT6H");
        Run listed = ctl("rules", "list");
        Run updated = ctl("-o", "json", "rules", "update", "cli", "--refresh-interval", "PT1H",
                "--credentials", "someone:secret");
        Run got = ctl("-o", "json", "rules", "get", "cli");
        Run validated = ctl("rules", "validate", "fromfile");
        Run deleted = ctl("rules", "delete", "cli");

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("prefix", "cli", "PT6H");
        assertThat(listed.out().lines().findFirst().orElseThrow()).startsWith("PREFIX").contains("UPSTREAMURL", "SOURCE");
        assertThat(listed.out()).contains("fromfile").contains("config").contains("cli");
        assertThat(updated.exit()).isZero();
        assertThat(got.json().getString("refreshInterval")).isEqualTo("PT1H");
        assertThat(got.json().getString("credentials")).isEqualTo("someone:secret");
        assertThat(validated.exit()).as(validated.err()).isZero();
        assertThat(validated.out()).contains("upstream", "authentication");
        assertThat(deleted.exit()).isZero();
        assertThat(ctl("rules", "get", "cli").exit()).isEqualTo(1);
    }

    @Test
    void rules_allowAndDenyLists_setListedAndEnforced() {
        Run created = ctl("rules", "create", "--prefix", "gatedcli", "--upstream-url", upstream.url(),
                "--allow", "library/*", "--deny", "library/bad*", "--deny", "library/worse*");
        Run listed = ctl("rules", "list");

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(listed.out()).containsPattern("gatedcli .*library/\\* .*library/bad\\*,library/worse\\*");
        assertThat(Eventually.status(() -> node.registryGet("/v2/gatedcli/library/bad1/manifests/1").status(), 403))
                .isEqualTo(403);
        assertThat(ctl("rules", "delete", "gatedcli").exit()).isZero();
    }

    @Test
    void rules_refusedByTheApi_exit1WithTheApisErrorLine() {
        Run bad = ctl("rules", "create", "--prefix", "Bad/", "--upstream-url", upstream.url());
        Run readOnly = ctl("rules", "delete", "fromfile");
        Run invalid = ctl("rules", "create", "--prefix", "dead", "--upstream-url", "http://127.0.0.1:1");
        Run unreachable = ctl("rules", "validate", "dead");

        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err().strip()).startsWith("cargohold ctl: 400 rules.prefix: 'Bad/' must match (?:[a-z0-9]+");
        assertThat(bad.out()).isEmpty();
        assertThat(readOnly.exit()).isEqualTo(1);
        assertThat(readOnly.err()).contains("409", "read-only");
        assertThat(invalid.exit()).isZero();
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("is not valid", "upstream:");
    }

    @Test
    void unreachableApi_exit1NamingTheUrl() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Ctl()).setErr(new PrintWriter(err))
                .execute("--url", "http://127.0.0.1:1", "rules", "list");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("cargohold ctl: GET http://127.0.0.1:1/api/v1/rules?maxResults=1000 failed");
    }

    @Test
    void templates_createWithPolicyFilesUpdateListDelete(@TempDir Path dir) throws Exception {
        Path lifecycle = Files.writeString(dir.resolve("lifecycle.json"), new JsonObject("""
                {"rules": [{"rulePriority": 1, "description": "Expire whatever nobody pulled for 90 days",
                  "selection": {"tagStatus": "any", "countType": "sinceImagePulled", "countUnit": "days",
                  "countNumber": 90}, "action": {"type": "expire"}}]}""").encode());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"rules\": []}");

        Run created = ctl("-o", "json", "templates", "create", "--prefix", "clitpl", "--tag-mutability", "IMMUTABLE",
                "--description", "from the cli", "--resource-tag", "team=platform", "--lifecycle-policy",
                lifecycle.toString());
        Run refused = ctl("templates", "update", "clitpl", "--lifecycle-policy", broken.toString());
        Run updated = ctl("templates", "update", "clitpl", "--description", "changed");
        Run listed = ctl("templates", "list");

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.json().getJsonObject("resourceTags").getString("team")).isEqualTo("platform");
        assertThat(created.json().getJsonObject("lifecyclePolicy")).isNotNull();
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("400", "templates.lifecyclePolicy");
        assertThat(updated.out()).contains("changed");
        assertThat(listed.out()).contains("clitpl", "IMMUTABLE", "changed");
        assertThat(ctl("templates", "delete", "clitpl").exit()).isZero();
        assertThat(ctl("templates", "get", "clitpl").err()).contains("404");
    }

    @Test
    void repositoriesAndImages_listDescribeSetMutabilityRefreshDelete() {
        assertThat(Eventually.status(() -> node.registryGet("/v2/fromfile/library/app/manifests/1").status(), 200))
                .isEqualTo(200);
        assertThat(node.registryGet("/v2/fromfile/library/app/manifests/2").status()).isEqualTo(200);

        Run repositories = ctl("repositories", "list");
        Run described = ctl("-o", "json", "repositories", "describe", "fromfile/library/app");
        Run images = ctl("images", "list", "fromfile/library/app");
        Run immutable = ctl("repositories", "set-mutability", "fromfile/library/app", "IMMUTABLE");
        Run wrong = ctl("repositories", "set-mutability", "fromfile/library/app", "FROZEN");
        Run refreshed = ctl("repositories", "refresh", "fromfile/library/app");
        Run deletedTag = ctl("images", "delete", "fromfile/library/app", "--tag", "2");
        Run missing = ctl("images", "delete", "fromfile/library/app", "--tag", "nope");

        assertThat(repositories.out()).contains("fromfile/library/app", "MUTABLE");
        assertThat(described.json().getString("upstreamRepository")).isEqualTo("library/app");
        assertThat(images.out().lines().findFirst().orElseThrow()).startsWith("DIGEST").contains("TAGS", "SIZE");
        assertThat(images.out()).contains(image.digest().value(), "1,2");
        assertThat(immutable.out()).contains("IMMUTABLE");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("400", "FROZEN");
        assertThat(refreshed.exit()).as(refreshed.err()).isZero();
        assertThat(refreshed.out()).contains(image.digest().value());
        assertThat(deletedTag.exit()).isZero();
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("not deleted", "nope");
        JsonArray left = ctl("-o", "json", "images", "list", "fromfile/library/app").json().getJsonArray("images");
        assertThat(left.getJsonObject(0).getJsonArray("tags")).hasSize(1);
        assertThat(ctl("images", "delete", "fromfile/library/app", "--digest", image.digest().value()).exit()).isZero();
        assertThat(ctl("-o", "json", "images", "list", "fromfile/library/app").json().getJsonArray("images")).isEmpty();
    }

    @Test
    void policies_putGetSimulateDeleteRegistryAndRepositoryPolicies(@TempDir Path dir) throws Exception {
        Path registry = Files.writeString(dir.resolve("registry.json"), """
                {"Version": "2012-10-17", "Statement": [{"Sid": "PartnerImports", "Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                  "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                  "Resource": "arn:aws:ecr:us-east-1:000000000000:repository/fromfile/*"}]}""");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"Version\": \"2012-10-17\"}");
        assertThat(node.registryGet("/v2/fromfile/library/app/manifests/1").status()).isEqualTo(200);
        Path repository = Files.writeString(dir.resolve("repository.json"), """
                {"Version": "2012-10-17", "Statement": [{"Sid": "NoPartnerPulls", "Effect": "Deny",
                  "Principal": {"AWS": "111122223333"}, "Action": "ecr:BatchGetImage"}]}""");

        Run put = ctl("policies", "put-registry", registry.toString());
        Run refused = ctl("policies", "put-registry", broken.toString());
        Run got = ctl("-o", "json", "policies", "get-registry");
        Run putRepository = ctl("policies", "put", "fromfile/library/app", repository.toString());
        Run denied = ctl("-o", "json", "policies", "simulate", "--account", "111122223333",
                "--action", "ecr:BatchGetImage", "--resource", "fromfile/library/app");
        Run deletedRepository = ctl("policies", "delete", "fromfile/library/app");
        Run deleted = ctl("policies", "delete-registry");

        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).startsWith("cargohold ctl: 400");
        assertThat(got.json().getJsonObject("policy").getJsonArray("Statement").getJsonObject(0).getString("Sid"))
                .isEqualTo("PartnerImports");
        assertThat(putRepository.exit()).as(putRepository.err()).isZero();
        assertThat(denied.json().getString("decision")).isEqualTo("EXPLICIT_DENY");
        assertThat(denied.json().getString("statement")).isEqualTo("NoPartnerPulls");
        assertThat(deletedRepository.exit()).isZero();
        assertThat(ctl("policies", "get", "fromfile/library/app").exit()).isEqualTo(1);
        assertThat(deleted.exit()).isZero();
        assertThat(ctl("policies", "get-registry").err()).contains("404");
    }

    @Test
    void pins_addListDelete_refusalsExit1() {
        Run added = ctl("-o", "json", "pins", "add", "fromfile/library/pinned:1");
        String id = added.json().getString("id");
        Run listed = ctl("pins", "list");
        Run duplicate = ctl("pins", "add", "fromfile/library/pinned:1");
        Run invalid = ctl("pins", "add", "fromfile/library/pinned");
        Run deleted = ctl("pins", "delete", id);

        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(listed.out()).contains(id, "fromfile/library/pinned:1", "api");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).contains("409 pins.image");
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("400 pins.image");
        assertThat(deleted.exit()).isZero();
        assertThat(ctl("pins", "delete", id).err()).contains("404");
    }

    @Test
    void tokens_createListDelete() {
        Run created = ctl("-o", "json", "tokens", "create", "--name", "cli-bot", "--org", "o-cli1");
        String id = created.json().getString("id");
        Run listed = ctl("tokens", "list");
        Run deleted = ctl("tokens", "delete", id);

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.json().getString("token")).startsWith("chk_");
        assertThat(listed.out()).contains(id, "cli-bot", "o-cli1").doesNotContain(created.json().getString("token"));
        assertThat(deleted.exit()).isZero();
        assertThat(ctl("tokens", "delete", id).err()).contains("404");
    }

    @Test
    void lists_withoutPageOptions_followEveryPage(@TempDir Path dir) {
        TestImages.Image other = TestImages.writeImage(dir.resolve("layout"), "other", 62, 512);
        upstream.push(other, "library/paging:1");
        upstream.push(image, "library/paging:2");
        for (String tag : List.of("1", "2")) {
            assertThat(Eventually.status(() -> node.registryGet("/v2/fromfile/library/paging/manifests/" + tag)
                    .status(), 200)).isEqualTo(200);
        }
        assertThat(Eventually.status(() -> node.registryGet("/v2/fromfile/library/app/manifests/1").status(), 200))
                .isEqualTo(200);
        ctl("rules", "create", "--prefix", "paging", "--upstream-url", upstream.url());
        ctl("templates", "create", "--prefix", "paging/a");
        ctl("templates", "create", "--prefix", "paging/b");
        ctl("tokens", "create", "--name", "paging-a");
        ctl("tokens", "create", "--name", "paging-b");

        assertFollowsEveryPage("/rules", "rules", "rules", "list");
        assertFollowsEveryPage("/templates", "templates", "templates", "list");
        assertFollowsEveryPage("/repositories", "repositories", "repositories", "list");
        assertFollowsEveryPage("/repositories/fromfile/library/paging/images", "images",
                "images", "list", "fromfile/library/paging");
        assertFollowsEveryPage("/tokens", "tokens", "tokens", "list");
    }

    @Test
    void list_maxResults_onePagePrintingTheOptionForTheNext() {
        ctl("tokens", "create", "--name", "page-one");
        ctl("tokens", "create", "--name", "page-two");
        JsonArray all = node.call("GET", "/tokens", null).json().getJsonArray("tokens");

        Run first = ctl("tokens", "list", "--max-results", "1");
        String more = first.out().lines().filter(line -> line.startsWith("more: --next-token ")).findFirst()
                .orElseThrow();
        Run second = ctl("-o", "json", "tokens", "list", "--max-results", "1", "--next-token",
                more.substring("more: --next-token ".length()));
        Run invalid = ctl("tokens", "list", "--max-results", "0");

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out().lines()).hasSize(3);
        assertThat(first.out()).contains(all.getJsonObject(0).getString("id"));
        assertThat(second.json().getJsonArray("tokens").getJsonObject(0).getString("id"))
                .isEqualTo(all.getJsonObject(1).getString("id"));
        assertThat(second.json().getString("nextToken")).isNotBlank();
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("400 maxResults: '0'");
    }

    /** The command prints, asking a page of one item per call, every item of the API's list and no token. */
    private static void assertFollowsEveryPage(String path, String items, String... command) {
        JsonArray whole = node.call("GET", path + "?maxResults=1000", null).json().getJsonArray(items);
        List<String> args = new ArrayList<>(List.of("-o", "json"));
        args.addAll(List.of(command));
        args.addAll(List.of("--page-size", "1"));
        Run run = ctl(args.toArray(String[]::new));

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(whole.size()).as(path).isGreaterThanOrEqualTo(2);
        assertThat(run.json().getJsonArray(items)).as(path).isEqualTo(whole);
        assertThat(run.json().containsKey("nextToken")).isFalse();
    }
}
