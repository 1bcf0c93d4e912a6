package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.ControlHarness.ApiAnswer;
import io.cargohold.coordinator.Eventually;
import io.cargohold.coordinator.PagedLists;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.TagRecord;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RepositoriesApiTest {

    private static UpstreamRegistry upstream;
    private static ControlHarness node;
    private static TestImages.Image first;
    private static TestImages.Image second;
    private static TestImages.Image third;
    private static Path dir;

    @BeforeAll
    static void start(@TempDir Path tmp) {
        dir = tmp;
        upstream = UpstreamRegistry.anonymous();
        first = TestImages.writeImage(dir.resolve("layout"), "first", 31, 512);
        second = TestImages.writeImage(dir.resolve("layout"), "second", 32, 512);
        third = TestImages.writeImage(dir.resolve("layout"), "third", 33, 512);
        upstream.push(first, "library/app:1");
        upstream.push(first, "library/app:2");
        upstream.push(first, "library/moving:1");
        for (String name : List.of("dtag", "ddig", "keep")) {
            upstream.push(first, "library/" + name + ":1");
        }
        upstream.push(first, "library/ddig:2");
        upstream.push(first, "library/paged:1");
        upstream.push(second, "library/paged:2");
        upstream.push(third, "library/paged:3");
        upstream.push(first, "library/emptied:1");
        upstream.push(first, "library/gone:1");
        upstream.push(first, "library/layered:1");
        for (String name : List.of("search", "search/a", "search/b", "search-x", "searcher")) {
            upstream.push(first, "library/" + name + ":1");
        }
        node = ControlHarness.standalone(dir.resolve("node"), List.of(CacheRule.of("up", upstream.url()),
                CacheRule.of("imm", upstream.url()), CacheRule.of("mut", upstream.url())));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node, upstream);
    }

    @Test
    void describe_pulledRepositoryAndImages_everyField() {
        pull("up/library/app", "1");
        pull("up/library/app", "2");

        JsonObject repository = node.call("GET", "/repositories/up/library/app", null).json();
        JsonArray images = node.call("GET", "/repositories/up/library/app/images", null).json().getJsonArray("images");

        assertThat(node.call("GET", "/repositories", null).json().getJsonArray("repositories").stream()
                .map(r -> ((JsonObject) r).getString("name"))).contains("up/library/app");
        assertThat(repository.getString("upstreamRepository")).isEqualTo("library/app");
        assertThat(repository.getJsonObject("settings").getString("tagMutability")).isEqualTo("MUTABLE");
        assertThat(images).hasSize(1);
        JsonObject image = images.getJsonObject(0);
        assertThat(image.getString("digest")).isEqualTo(first.digest().value());
        assertThat(image.getJsonArray("tags").stream().map(t -> ((JsonObject) t).getString("tag")))
                .containsExactly("1", "2");
        assertThat(image.getLong("size")).isEqualTo(first.content().length);
        assertThat(image.getString("mediaType")).isEqualTo(first.mediaType());
        assertThat(image.getString("cachedAt")).isNotNull();
        assertThat(image.getString("lastPulledAt")).isNotNull();
        assertThat(image.getString("lastUpstreamCheckAt")).isNotNull();
        assertThat(image.containsKey("upstreamDigest")).isTrue();
    }

    @Test
    void image_withReferrer_layersConfigAndReferrerShown() {
        pull("up/library/layered", "1");
        byte[] signature = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaType.OCI_MANIFEST)
                .put("artifactType", "application/vnd.dev.sigstore.bundle.v0.3+json")
                .put("config", new JsonObject().put("mediaType", "application/vnd.oci.empty.v1+json")
                        .put("digest", Digest.sha256("{}".getBytes(StandardCharsets.UTF_8)).value()).put("size", 2))
                .put("layers", new JsonArray())
                .put("subject", new JsonObject().put("mediaType", MediaType.OCI_MANIFEST)
                        .put("digest", first.digest().value()).put("size", first.content().length))
                .encode().getBytes(StandardCharsets.UTF_8);
        String signatureDigest = Digest.sha256(signature).value();
        Await.await(node.metadata().putManifest(new ManifestRecord("up/library/layered", signatureDigest,
                MediaType.OCI_MANIFEST, signature, System.currentTimeMillis(), 0)));

        ApiAnswer answer = node.call("GET", "/repositories/up/library/layered/images/" + first.digest().value(), null);
        ApiAnswer unknown = node.call("GET", "/repositories/up/library/layered/images/sha256:" + "0".repeat(64), null);

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonObject image = answer.json();
        assertThat(image.getString("repository")).isEqualTo("up/library/layered");
        assertThat(image.getJsonArray("tags").getJsonObject(0).getString("tag")).isEqualTo("1");
        assertThat(image.getJsonObject("config").getString("digest")).isEqualTo(first.config().digest().value());
        assertThat(image.getJsonArray("layers").stream().map(layer -> ((JsonObject) layer).getString("digest")))
                .containsExactlyElementsOf(first.layers().stream().map(layer -> layer.digest().value()).toList());
        assertThat(image.getJsonArray("layers").getJsonObject(0).getLong("size")).isEqualTo(first.layers().get(0).size());
        JsonArray referrers = image.getJsonArray("referrers");
        assertThat(referrers).hasSize(1);
        assertThat(referrers.getJsonObject(0).getString("digest")).isEqualTo(signatureDigest);
        assertThat(referrers.getJsonObject(0).getString("artifactType"))
                .isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error().getString("message")).contains("sha256:" + "0".repeat(64));
    }

    @Test
    void list_namePrefix_onlyNamesStartingWithItPaged_emptyPrefix400() {
        for (String name : List.of("search", "search/a", "search/b", "search-x", "searcher")) {
            pull("up/library/" + name, "1");
        }

        List<String> walked = new ArrayList<>();
        String token = null;
        do {
            JsonObject page = node.call("GET", "/repositories?maxResults=1&namePrefix=up/library/search/"
                    + (token == null ? "" : "&nextToken=" + token), null).json();
            page.getJsonArray("repositories").forEach(r -> walked.add(((JsonObject) r).getString("name")));
            token = page.getString("nextToken");
        } while (token != null);
        JsonArray exact = node.call("GET", "/repositories?maxResults=2&namePrefix=up/library/search", null).json()
                .getJsonArray("repositories");
        JsonArray none = node.call("GET", "/repositories?namePrefix=up//x", null).json().getJsonArray("repositories");
        ApiAnswer empty = node.call("GET", "/repositories?namePrefix=", null);

        assertThat(walked).containsExactly("up/library/search/a", "up/library/search/b");
        assertThat(exact.stream().map(r -> ((JsonObject) r).getString("name")))
                .containsExactly("up/library/search", "up/library/search-x");
        assertThat(none).isEmpty();
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.error().getString("field")).isEqualTo("namePrefix");
    }

    @Test
    void unknownRepository_404() {
        assertThat(node.call("GET", "/repositories/up/none", null).status()).isEqualTo(404);
        assertThat(node.call("GET", "/repositories/Up//x/images", null).status()).isEqualTo(404);
        assertThat(node.call("PUT", "/repositories/up/none/tag-mutability",
                new JsonObject().put("tagMutability", "IMMUTABLE")).status()).isEqualTo(404);
        assertThat(node.call("POST", "/repositories/up/none/refresh", null).status()).isEqualTo(404);
    }

    @Test
    void setTagMutability_valid_storedAndAudited_invalid_400() {
        pull("up/library/app", "1");

        ApiAnswer set = node.call("PUT", "/repositories/up/library/app/tag-mutability",
                new JsonObject().put("tagMutability", "IMMUTABLE"));
        ApiAnswer invalid = node.call("PUT", "/repositories/up/library/app/tag-mutability",
                new JsonObject().put("tagMutability", "FROZEN"));

        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().getJsonObject("settings").getString("tagMutability")).isEqualTo("IMMUTABLE");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.error().getString("value")).isEqualTo("FROZEN");
        assertThat(Eventually.value(() -> node.audits().stream()
                .filter(a -> a.getString("operation").equals("repositories.setTagMutability")).findFirst()
                .orElse(null)).getJsonObject("after").getJsonObject("settings").getString("tagMutability"))
                .isEqualTo("IMMUTABLE");
        node.call("PUT", "/repositories/up/library/app/tag-mutability", new JsonObject().put("tagMutability", "MUTABLE"));
    }

    @Test
    void batchDelete_byTagAndDigest_removesTagsAndManifests() {
        pull("up/library/dtag", "1");
        pull("up/library/ddig", "1");
        pull("up/library/ddig", "2");

        JsonObject byTag = node.call("POST", "/repositories/up/library/dtag/images/batch-delete",
                ids(new JsonObject().put("imageTag", "1"), new JsonObject().put("imageTag", "9"))).json();
        JsonObject byDigest = node.call("POST", "/repositories/up/library/ddig/images/batch-delete",
                ids(new JsonObject().put("imageDigest", first.digest().value()))).json();

        assertThat(byTag.getJsonArray("imageIds")).hasSize(1);
        assertThat(byTag.getJsonArray("failures").getJsonObject(0).getString("failureCode")).isEqualTo("ImageNotFound");
        assertThat(images("up/library/dtag")).isEmpty();
        assertThat(byDigest.getJsonArray("imageIds")).hasSize(1);
        assertThat(images("up/library/ddig")).isEmpty();
        assertThat(Await.await(node.metadata().tags("up/library/ddig"))).isEmpty();
    }

    @Test
    void batchDelete_oneInvalidId_400AndNothingDeleted() {
        pull("up/library/keep", "1");

        ApiAnswer answer = node.call("POST", "/repositories/up/library/keep/images/batch-delete",
                ids(new JsonObject().put("imageTag", "1"), new JsonObject().put("imageDigest", "sha256:short")));
        ApiAnswer empty = node.call("POST", "/repositories/up/library/keep/images/batch-delete", ids());
        ApiAnswer both = node.call("POST", "/repositories/up/library/keep/images/batch-delete",
                ids(new JsonObject().put("imageTag", "1").put("imageDigest", first.digest().value())));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo("imageIds[1].imageDigest");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(both.status()).isEqualTo(400);
        assertThat(images("up/library/keep")).hasSize(1);
    }

    @Test
    void refresh_upstreamMovedTag_immutableKeepsOursAndRecordsUpstreamDigest_mutableMoves() {
        pull("imm/library/moving", "1");
        pull("mut/library/moving", "1");
        node.call("PUT", "/repositories/imm/library/moving/tag-mutability",
                new JsonObject().put("tagMutability", "IMMUTABLE"));
        upstream.push(second, "library/moving:1");

        ApiAnswer immutable = node.call("POST", "/repositories/imm/library/moving/refresh", null);
        ApiAnswer mutable = node.call("POST", "/repositories/mut/library/moving/refresh", null);

        assertThat(immutable.status()).isEqualTo(200);
        assertThat(immutable.json().getJsonObject("tags").getString("1")).isEqualTo(first.digest().value());
        TagRecord kept = Await.await(node.metadata().tag("imm/library/moving", "1")).orElseThrow();
        assertThat(kept.digest()).isEqualTo(first.digest().value());
        assertThat(kept.upstreamDigest()).isEqualTo(second.digest().value());
        JsonObject image = images("imm/library/moving").getJsonObject(0);
        assertThat(image.getString("digest")).isEqualTo(first.digest().value());
        assertThat(image.getString("upstreamDigest")).isEqualTo(second.digest().value());
        assertThat(node.registryGet("/v2/imm/library/moving/manifests/1").body())
                .isEqualTo(new String(first.content(), StandardCharsets.UTF_8));
        assertThat(mutable.json().getJsonObject("tags").getString("1")).isEqualTo(second.digest().value());
        assertThat(Await.await(node.metadata().tag("mut/library/moving", "1")).orElseThrow().digest())
                .isEqualTo(second.digest().value());
    }

    @Test
    void pull_staleTagOfImmutableRepository_servesOursAndRecordsUpstreamDigest() {
        upstream.push(first, "library/stale:1");
        pull("up/library/stale", "1");
        node.call("PUT", "/repositories/up/library/stale/tag-mutability",
                new JsonObject().put("tagMutability", "IMMUTABLE"));
        upstream.push(second, "library/stale:1");
        TagRecord cached = Await.await(node.metadata().tag("up/library/stale", "1")).orElseThrow();
        Await.await(node.metadata().putTag(cached.checkedAt(0)));

        ApiAnswer served = node.registryGet("/v2/up/library/stale/manifests/1");

        assertThat(served.body()).isEqualTo(new String(first.content(), StandardCharsets.UTF_8));
        TagRecord kept = Await.await(node.metadata().tag("up/library/stale", "1")).orElseThrow();
        assertThat(kept.digest()).isEqualTo(first.digest().value());
        assertThat(kept.upstreamDigest()).isEqualTo(second.digest().value());
    }

    @Test
    void list_pagedAtTheBoundaries() {
        pull("up/library/app", "1");
        pull("up/library/keep", "1");
        pull("up/library/paged", "1");

        PagedLists.assertPagedAtBoundaries(node, "/repositories", "repositories", "name");
        List<String> names = PagedLists.walk(node, "/repositories", "repositories", "name", 2);
        assertThat(names).isSorted().contains("up/library/app", "up/library/keep", "up/library/paged");
    }

    @Test
    void consoleSummary_repositoriesPagedAtTheBoundaries_everyPageWholeOtherwise() {
        pull("up/library/app", "1");
        pull("up/library/paged", "1");

        PagedLists.assertPagedAtBoundaries(node, "/console/summary", "repositories", "name");
        JsonObject page = node.call("GET", "/console/summary?maxResults=1", null).json();
        assertThat(page.getJsonArray("repositories")).hasSize(1);
        assertThat(page.getString("nextToken")).isNotBlank();
        assertThat(page.fieldNames()).contains("generatedAt", "nodes", "bytes", "rules", "upstreams", "egress");
        assertThat(PagedLists.walk(node, "/console/summary", "repositories", "name", 1))
                .isEqualTo(PagedLists.walk(node, "/repositories", "repositories", "name", 1000));
    }

    @Test
    void images_pagedAtTheBoundaries_newestFirst() {
        for (String tag : List.of("1", "2", "3")) {
            pull("up/library/paged", tag);
        }

        PagedLists.assertPagedAtBoundaries(node, "/repositories/up/library/paged/images", "images", "digest");
        List<JsonObject> walked = new ArrayList<>();
        String token = null;
        do {
            JsonObject page = node.call("GET", "/repositories/up/library/paged/images?maxResults=1"
                    + (token == null ? "" : "&nextToken=" + token), null).json();
            assertThat(page.getString("repository")).isEqualTo("up/library/paged");
            page.getJsonArray("images").forEach(image -> walked.add((JsonObject) image));
            token = page.getString("nextToken");
        } while (token != null);
        assertThat(walked.stream().map(image -> image.getString("digest"))).containsExactlyInAnyOrder(
                first.digest().value(), second.digest().value(), third.digest().value());
        assertThat(walked.stream().map(image -> Instant.parse(image.getString("cachedAt"))).toList())
                .isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void delete_withImages_409UnlessForced_thenGoneAndAudited() {
        pull("up/library/gone", "1");

        ApiAnswer refused = node.call("DELETE", "/repositories/up/library/gone", null);
        ApiAnswer deleted = node.call("DELETE", "/repositories/up/library/gone?force=true", null);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error().getString("field")).isEqualTo("name");
        assertThat(refused.error().getString("message")).contains("1 images");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().getString("name")).isEqualTo("up/library/gone");
        assertThat(node.call("GET", "/repositories/up/library/gone", null).status()).isEqualTo(404);
        assertThat(Await.await(node.metadata().manifests("up/library/gone"))).isEmpty();
        assertThat(Await.await(node.metadata().tags("up/library/gone"))).isEmpty();
        assertThat(node.call("DELETE", "/repositories/up/library/gone", null).status()).isEqualTo(404);
        assertThat(Eventually.value(() -> node.audits().stream()
                .filter(a -> a.getString("operation").equals("repositories.delete")).findFirst().orElse(null))
                .getString("resource")).isEqualTo("up/library/gone");
    }

    @Test
    void images_everyImageDeleted_emptyWithoutNextToken() {
        pull("up/library/emptied", "1");
        node.call("POST", "/repositories/up/library/emptied/images/batch-delete",
                ids(new JsonObject().put("imageDigest", first.digest().value())));

        PagedLists.assertEmpty(node, "/repositories/up/library/emptied/images", "images");
        PagedLists.assertInvalidPageParameters(node, "/repositories/up/library/emptied/images");
    }

    @Test
    void lists_freshNode_emptyWithoutNextToken() {
        try (ControlHarness fresh = ControlHarness.standalone(dir.resolve("fresh"), List.of())) {
            PagedLists.assertEmpty(fresh, "/repositories", "repositories");
            PagedLists.assertEmpty(fresh, "/rules", "rules");
            PagedLists.assertEmpty(fresh, "/templates", "templates");
            PagedLists.assertEmpty(fresh, "/tokens", "tokens");
            PagedLists.assertEmpty(fresh, "/console/summary", "repositories");
            PagedLists.assertInvalidPageParameters(fresh, "/repositories");
        }
    }

    private static void pull(String name, String tag) {
        assertThat(Eventually.status(() -> node.registryGet("/v2/" + name + "/manifests/" + tag).status(), 200))
                .as(name + ":" + tag).isEqualTo(200);
    }

    private static JsonArray images(String name) {
        return node.call("GET", "/repositories/" + name + "/images", null).json().getJsonArray("images");
    }

    private static JsonObject ids(JsonObject... ids) {
        return new JsonObject().put("imageIds", new JsonArray(List.of((Object[]) ids)));
    }
}
