package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertHeaders;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET|HEAD /v2/<name>/manifests/<reference>} against a real upstream registry: exact bytes
 * and headers, Accept negotiation of indexes, caching by tag and digest, and every error a client
 * can provoke with a bad name, tag or digest.
 */
class ManifestRouteTest {

    private static final String OCI_IMAGE_ACCEPT = MediaType.OCI_MANIFEST + ", " + MediaType.DOCKER_MANIFEST;

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image image;
    private static TestImages.Index index;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        image = TestImages.writeImage(layout, "app", 11, 1024, 2048);
        index = TestImages.writeIndex(layout, "multi", 12, 512);
        upstream.push(image, "library/app:1");
        upstream.push(image, "library/app:digest");
        upstream.push(image, "library/app:refresh");
        upstream.push(index, "library/multi:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url(), Duration.ofHours(1))).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    private static String manifests(String name, String reference) {
        return "/v2/" + name + "/manifests/" + reference;
    }

    @Test
    void getManifest_byTag_exactUpstreamBytesWithMediaTypeDigestAndLength() {
        RegistryResponse response = edge.get(manifests("up/library/app", "1"), "Accept", OCI_IMAGE_ACCEPT);

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(image.content());
        assertHeaders(response, Map.of(
                "Content-Type", MediaType.OCI_MANIFEST,
                "Docker-Content-Digest", image.digest().value(),
                "Content-Length", String.valueOf(image.content().length),
                "Docker-Distribution-API-Version", "registry/2.0"));
    }

    @Test
    void getManifest_byTagRepeatedly_oneUpstreamGet() {
        for (int i = 0; i < 3; i++) {
            assertStatus(edge.get(manifests("up/library/app", "1")), 200);
        }

        assertThat(edge.upstreamCalls().manifestGets("library/app", Tag.parse("1")))
                .as("upstream calls %s", edge.upstreamCalls()).isEqualTo(1);
    }

    @Test
    void headManifest_byTag_headersWithoutBody() {
        RegistryResponse response = edge.head(manifests("up/library/app", "1"));

        assertStatus(response, 200);
        assertThat(response.body().length()).isZero();
        assertHeaders(response, Map.of(
                "Content-Type", MediaType.OCI_MANIFEST,
                "Docker-Content-Digest", image.digest().value(),
                "Content-Length", String.valueOf(image.content().length)));
    }

    @Test
    void getManifest_byDigestAfterTag_servedFromCacheWithoutUpstreamCall() {
        assertStatus(edge.get(manifests("up/library/app", "digest")), 200);

        RegistryResponse response = edge.get(manifests("up/library/app", image.digest().value()));
        RegistryResponse head = edge.head(manifests("up/library/app", image.digest().value()));

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(image.content());
        assertStatus(head, 200);
        assertHeaders(head, Map.of("Docker-Content-Digest", image.digest().value()));
        assertThat(edge.upstreamCalls().manifestGets("library/app", image.digest()))
                .as("upstream calls %s", edge.upstreamCalls()).isZero();
    }

    @Test
    void getManifest_uncachedDigest_fetchedOnceAndServedExactly() {
        TestImages.Image arm = index.images().get(1);

        RegistryResponse first = edge.get(manifests("up/library/multi", arm.digest().value()));
        RegistryResponse second = edge.get(manifests("up/library/multi", arm.digest().value()));

        assertStatus(first, 200);
        assertThat(first.bytes()).isEqualTo(arm.content());
        assertThat(second.bytes()).isEqualTo(arm.content());
        assertHeaders(second, Map.of("Docker-Content-Digest", arm.digest().value(),
                "Content-Type", MediaType.OCI_MANIFEST));
        assertThat(edge.upstreamCalls().manifestGets("library/multi", arm.digest())).isEqualTo(1);
    }

    @Test
    void getManifest_indexAcceptingIndexes_returnsIndexBytes() {
        RegistryResponse response = edge.get(manifests("up/library/multi", "1"),
                "Accept", MediaType.OCI_INDEX + ", " + MediaType.OCI_MANIFEST);

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(index.content());
        assertHeaders(response, Map.of("Content-Type", MediaType.OCI_INDEX,
                "Docker-Content-Digest", index.digest().value(),
                "Content-Length", String.valueOf(index.content().length)));
    }

    @Test
    void getManifest_indexWithoutAccept_returnsIndexBytes() {
        RegistryResponse response = edge.get(manifests("up/library/multi", "1"));

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Docker-Content-Digest", index.digest().value()));
    }

    @Test
    void getManifest_indexAcceptingNoIndex_returnsLinuxAmd64Image() {
        TestImages.Image amd64 = index.images().get(0);
        assertThat(amd64.platform().architecture()).isEqualTo("amd64");

        RegistryResponse response = edge.get(manifests("up/library/multi", "1"), "Accept", OCI_IMAGE_ACCEPT);
        RegistryResponse head = edge.head(manifests("up/library/multi", "1"), "Accept", MediaType.OCI_MANIFEST);

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(amd64.content());
        assertHeaders(response, Map.of("Content-Type", MediaType.OCI_MANIFEST,
                "Docker-Content-Digest", amd64.digest().value(),
                "Content-Length", String.valueOf(amd64.content().length)));
        assertHeaders(head, Map.of("Docker-Content-Digest", amd64.digest().value()));
    }

    @Test
    void getManifest_tagPastRefreshInterval_revalidatedWithHeadNotRefetched() {
        assertStatus(edge.get(manifests("up/library/app", "refresh")), 200);
        edge.clock().advance(Duration.ofHours(2));

        RegistryResponse response = edge.get(manifests("up/library/app", "refresh"));

        assertStatus(response, 200);
        assertThat(response.bytes()).isEqualTo(image.content());
        assertThat(response.headers().contains("Warning")).isFalse();
        assertThat(edge.upstreamCalls().manifestHeads("library/app", Tag.parse("refresh"))).isEqualTo(1);
        assertThat(edge.upstreamCalls().manifestGets("library/app", Tag.parse("refresh"))).isEqualTo(1);
    }

    @Test
    void getManifest_unknownTag_404ManifestUnknownSayingWhatWasFetched() {
        RegistryResponse response = edge.get(manifests("up/library/app", "nope"));

        assertErrorCode(response, OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(errorMessage(response)).contains("library/app:nope").contains(upstream.hostPort());
    }

    @Test
    void headManifest_unknownTag_404WithoutBody() {
        RegistryResponse response = edge.head(manifests("up/library/app", "nope-head"));

        assertStatus(response, 404);
        assertThat(response.body().length()).isZero();
    }

    @Test
    void getManifest_unknownDigest_404ManifestUnknown() {
        Digest unknown = Digest.sha256("no such manifest".getBytes());

        assertErrorCode(edge.get(manifests("up/library/app", unknown.value())), OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(Await.await(edge.metadata().manifest("up/library/app", unknown.value()))).isEmpty();
    }

    @Test
    void getManifest_unknownRepositoryUpstream_404ManifestUnknown() {
        RegistryResponse response = edge.get(manifests("up/library/never-pushed", "1"));

        assertErrorCodes(response, 404, OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(Await.await(edge.metadata().repository("up/library/never-pushed"))).isEmpty();
    }

    @Test
    void getManifest_unknownPrefix_404NameUnknownWithoutUpstreamCall() {
        RegistryResponse response = edge.get(manifests("elsewhere/library/app", "1"));

        assertErrorCode(response, OciErrorCode.NAME_UNKNOWN);
        assertThat(edge.upstreamCalls().snapshot()).noneSatisfy((key, count) -> assertThat(key).contains("elsewhere"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "sha256:" + "A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0",
            "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:", ":abc", "sha256:..%2F..%2Fetc%2Fpasswd"})
    void getManifest_malformedOrUnknownAlgorithmDigest_400DigestInvalid(String digest) {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        RegistryResponse response = edge.get(manifests("up/library/app", digest));

        assertErrorCode(response, OciErrorCode.DIGEST_INVALID);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading-dash", ".hidden", "x12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678", "a%20b"})
    void getManifest_malformedTag_404ManifestUnknownWithoutUpstreamCall(String tag) {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        RegistryResponse response = edge.get(manifests("up/library/app", tag));

        assertErrorCode(response, OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-leading-dash", ".hidden", "a%20b"})
    void headManifest_malformedTag_404WithoutBody(String tag) {
        RegistryResponse response = edge.head(manifests("up/library/app", tag));

        assertStatus(response, 404);
        assertThat(response.body().length()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v2/up/Library/App/manifests/1", "/v2/up/library/../../etc/manifests/1",
            "/v2/up/%2e%2e/library/app/manifests/1", "/v2/up//library/app/manifests/1",
            "/v2/up/library/app-/manifests/1", "/v2/up/library/.app/manifests/1"})
    void getManifest_badName_400NameInvalidWithoutUpstreamCall(String path) {
        Map<String, Integer> before = edge.upstreamCalls().snapshot();

        RegistryResponse response = edge.get(path);

        assertErrorCode(response, OciErrorCode.NAME_INVALID);
        assertThat(edge.upstreamCalls().snapshot()).isEqualTo(before);
    }

    @Test
    void getManifest_nameLongerThan255_400NameInvalid() {
        assertErrorCode(edge.get(manifests("up/" + "a".repeat(253), "1")), OciErrorCode.NAME_INVALID);
    }
}
