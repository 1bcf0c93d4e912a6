package io.cargohold.edge.http;

import io.cargohold.cache.ProxyReferrers;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * OCI referrers through the cache. The upstream is Debian's distribution 2.8, which has no
 * referrers API: a signature and an SBOM of an image are pushed to it with the referrers tag
 * schema, as cosign and oras do for such registries. A first cache answers them through its
 * referrers API; a second cache in front of the first (a cascade across regions) gets them from
 * the first one's referrers API without falling back to the tag.
 */
class ReferrersRouteTest {

    private static final String SIGNATURE_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private static final String SBOM_TYPE = "application/spdx+json";
    private static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static EdgeHarness downstream;
    private static TestImages.Image image;
    private static String signature;
    private static String sbom;

    @BeforeAll
    static void start() throws Exception {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(layout, "signed", 61, 200_000);
        upstream.push(image, "library/signed:1");
        RawPush push = new RawPush(upstream.url(), "library/signed");
        signature = push.artifact(SIGNATURE_TYPE, "{\"critical\":{\"type\":\"cosign container image signature\"}}");
        sbom = push.artifact(SBOM_TYPE, "{\"spdxVersion\":\"SPDX-2.3\"}");
        push.manifest(ProxyReferrers.schemaTag(image.digest()).value(), MediaType.OCI_INDEX, new JsonObject()
                .put("schemaVersion", 2).put("mediaType", MediaType.OCI_INDEX)
                .put("manifests", new JsonArray().add(push.descriptorOf(signature, SIGNATURE_TYPE))
                        .add(push.descriptorOf(sbom, SBOM_TYPE))).encode());
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).start();
        downstream = EdgeHarness.builder().rule(EdgeHarness.rule("region", "http://" + edge.hostPort())).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(downstream, edge, upstream);
    }

    @Test
    void referrers_upstreamWithTagSchemaOnly_listsEachReferrerWithItsArtifactTypeThenServesFromCache() {
        String path = "/v2/up/library/signed/referrers/" + image.digest();
        RegistryResponse response = edge.get(path);

        assertStatus(response, 200);
        assertThat(response.header("Content-Type")).isEqualTo(MediaType.OCI_INDEX);
        assertThat(artifactTypes(response)).containsExactlyInAnyOrder(SIGNATURE_TYPE, SBOM_TYPE);
        assertThat(digests(response)).containsExactlyInAnyOrder(signature, sbom);

        assertThat(artifactTypes(edge.get(path))).hasSize(2);
        Digest subject = image.digest();
        assertThat(edge.upstreamCalls().referrersGets("library/signed", subject)).isEqualTo(1);
        assertThat(upstream.requests("GET", "/v2/library/signed/manifests/sha256-" + subject.hex()))
                .as("the tag schema asked once").isEqualTo(1);
    }

    @Test
    void referrers_filteredByArtifactType_listsOnlyThatTypeAndSaysSo() {
        RegistryResponse response = edge.get("/v2/up/library/signed/referrers/" + image.digest()
                + "?artifactType=" + URLEncoder.encode(SBOM_TYPE, StandardCharsets.UTF_8));

        assertStatus(response, 200);
        assertThat(response.header(ReferrersHandler.FILTERS_APPLIED)).isEqualTo("artifactType");
        assertThat(digests(response)).containsExactly(sbom);
    }

    @Test
    void referrerManifest_byDigest_isPulledThroughWithItsExactBytes() throws Exception {
        RegistryResponse response = edge.get("/v2/up/library/signed/manifests/" + signature,
                "Accept", MediaType.OCI_MANIFEST);

        assertStatus(response, 200);
        assertThat(Digest.sha256(response.bytes()).value()).isEqualTo(signature);
        assertThat(response.json().getString("artifactType")).isEqualTo(SIGNATURE_TYPE);
        assertThat(response.json().getJsonObject("subject").getString("digest")).isEqualTo(image.digest().value());
    }

    @Test
    void referrers_ofAnUnsignedManifest_isAnEmptyIndex() {
        Digest unsigned = Digest.sha256("no one refers to this".getBytes(StandardCharsets.UTF_8));
        RegistryResponse response = edge.get("/v2/up/library/signed/referrers/" + unsigned);

        assertStatus(response, 200);
        assertThat(response.json().getJsonArray("manifests")).isEmpty();
        assertThat(response.json().getString("mediaType")).isEqualTo(MediaType.OCI_INDEX);
    }

    @Test
    void referrers_malformedDigest_isDigestInvalid() {
        assertErrorCode(edge.get("/v2/up/library/signed/referrers/sha256:nothex"), OciErrorCode.DIGEST_INVALID);
    }

    @Test
    void referrers_throughACascade_comeFromTheUpstreamCachesReferrersApi() {
        RegistryResponse response = downstream.get("/v2/region/up/library/signed/referrers/" + image.digest());

        assertStatus(response, 200);
        assertThat(artifactTypes(response)).containsExactlyInAnyOrder(SIGNATURE_TYPE, SBOM_TYPE);
        assertThat(downstream.upstreamCalls().referrersGets("up/library/signed", image.digest())).isEqualTo(1);
        assertThat(downstream.upstreamCalls().manifestGets("up/library/signed",
                ProxyReferrers.schemaTag(image.digest()))).as("no tag-schema fallback").isZero();
    }

    private static List<String> artifactTypes(RegistryResponse response) {
        return response.json().getJsonArray("manifests").stream()
                .map(entry -> ((JsonObject) entry).getString("artifactType")).toList();
    }

    private static List<String> digests(RegistryResponse response) {
        return response.json().getJsonArray("manifests").stream()
                .map(entry -> ((JsonObject) entry).getString("digest")).toList();
    }

    /** Pushes blobs and manifests to a distribution registry over its push API. */
    private record RawPush(String registry, String repository) {

        private static final HttpClient HTTP = HttpClient.newHttpClient();

        /** Pushes an artifact manifest of {@code type} with one layer, whose subject is the image. */
        String artifact(String type, String payload) throws IOException, InterruptedException {
            JsonObject empty = blob("{}".getBytes(StandardCharsets.UTF_8), EMPTY_TYPE);
            JsonObject layer = blob(payload.getBytes(StandardCharsets.UTF_8), type);
            String manifest = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaType.OCI_MANIFEST)
                    .put("artifactType", type).put("config", empty).put("layers", new JsonArray().add(layer))
                    .put("subject", new JsonObject().put("mediaType", image.mediaType())
                            .put("digest", image.digest().value()).put("size", image.content().length))
                    .encode();
            String digest = Digest.sha256(manifest.getBytes(StandardCharsets.UTF_8)).value();
            manifest(digest, MediaType.OCI_MANIFEST, manifest);
            return digest;
        }

        JsonObject descriptorOf(String digest, String artifactType) throws IOException, InterruptedException {
            HttpResponse<byte[]> manifest = HTTP.send(HttpRequest.newBuilder(URI.create(
                    registry + "/v2/" + repository + "/manifests/" + digest))
                    .header("Accept", MediaType.OCI_MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new JsonObject().put("mediaType", MediaType.OCI_MANIFEST).put("digest", digest)
                    .put("size", manifest.body().length).put("artifactType", artifactType);
        }

        void manifest(String reference, String mediaType, String content) throws IOException, InterruptedException {
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(
                    registry + "/v2/" + repository + "/manifests/" + reference))
                    .header("Content-Type", mediaType)
                    .PUT(HttpRequest.BodyPublishers.ofString(content)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as("PUT manifest %s: %s", reference, put.body()).isEqualTo(201);
        }

        private JsonObject blob(byte[] content, String mediaType) throws IOException, InterruptedException {
            Digest digest = Digest.sha256(content);
            HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(URI.create(
                    registry + "/v2/" + repository + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(start.statusCode()).as("start upload: %s", start.body()).isEqualTo(202);
            URI location = URI.create(registry).resolve(start.headers().firstValue("Location").orElseThrow());
            String separator = location.getQuery() == null ? "?" : "&";
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(location + separator + "digest="
                    + digest.value())).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as("finish upload: %s", put.body()).isEqualTo(201);
            return new JsonObject().put("mediaType", mediaType).put("digest", digest.value())
                    .put("size", content.length);
        }
    }
}
