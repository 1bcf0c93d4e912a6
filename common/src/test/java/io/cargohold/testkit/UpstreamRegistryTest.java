package io.cargohold.testkit;

import io.cargohold.oci.Descriptor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamRegistryTest {

    @TempDir
    Path tmp;

    @Test
    void push_anonymousRegistry_imageInspectableWithSameDigest() {
        TestImages.Image image = TestImages.writeImage(tmp.resolve("layout"), "single", 1, 1000, 2000);
        try (UpstreamRegistry registry = UpstreamRegistry.anonymous()) {
            registry.push(image, "library/app:1");

            JsonObject inspected = new JsonObject(Skopeo.inspect("docker://" + registry.hostPort() + "/library/app:1",
                    "--tls-verify=false"));
            assertThat(inspected.getString("Digest")).isEqualTo(image.digest().value());
            assertThat(inspected.getJsonArray("Layers").getList())
                    .containsExactlyElementsOf(image.layers().stream().map(d -> d.digest().value()).toList());
            assertThat(registry.requests("GET", "/v2/library/app/manifests/1")).isEqualTo(1);
            assertThat(registry.requests("PUT", "/v2/library/app/manifests/.*")).isEqualTo(1);
        }
    }

    @Test
    void push_indexToBasicAuthRegistry_copiedWithAllPlatforms() {
        TestImages.Index index = TestImages.writeIndex(tmp.resolve("layout"), "multi", 2, 500);
        try (UpstreamRegistry registry = UpstreamRegistry.basicAuth("alice", "s3cret")) {
            registry.push(index, "library/multi:1");

            String raw = Skopeo.inspect("docker://" + registry.hostPort() + "/library/multi:1", "--raw",
                    "--tls-verify=false", "--creds=alice:s3cret");
            assertThat(raw.strip()).isEqualTo(new String(index.content()).strip());
            assertThat(index.images()).extracting(i -> i.platform().architecture()).containsExactly("amd64", "arm64");
        }
    }

    @Test
    void inspect_basicAuthRegistryWithoutCredentials_fails() {
        try (UpstreamRegistry registry = UpstreamRegistry.basicAuth("alice", "s3cret")) {
            assertThatThrownBy(() -> Skopeo.inspect("docker://" + registry.hostPort() + "/library/app:1",
                    "--tls-verify=false", "--no-creds"))
                    .isInstanceOf(Skopeo.SkopeoException.class)
                    .hasMessageContaining("authentication required");
        }
    }

    @Test
    void push_tokenAuthRegistry_tokenServerIssuesAcceptedTokens() {
        TestImages.Image image = TestImages.writeImage(tmp.resolve("layout"), "single", 3, 100);
        try (UpstreamRegistry registry = UpstreamRegistry.tokenAuth("bob", "hunter2")) {
            registry.push(image, "team/app:1");

            String raw = Skopeo.inspect("docker://" + registry.hostPort() + "/team/app:1", "--raw",
                    "--tls-verify=false", "--creds=bob:hunter2");
            assertThat(raw.strip()).isEqualTo(new String(image.content()).strip());
            assertThat(registry.tokenServer().orElseThrow().requests()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        }
    }

    @Test
    void writeImage_sameSeed_sameDigests() {
        TestImages.Image first = TestImages.writeImage(tmp.resolve("a"), "x", 42, 3 * 1024 * 1024 + 5);
        TestImages.Image second = TestImages.writeImage(tmp.resolve("b"), "x", 42, 3 * 1024 * 1024 + 5);
        assertThat(second.digest()).isEqualTo(first.digest());
        Descriptor layer = first.layers().get(0);
        assertThat(TestImages.blobPath(tmp.resolve("a"), layer.digest())).hasSize(layer.size());
        assertThat(Files.exists(tmp.resolve("a").resolve("index.json"))).isTrue();
    }

    @Test
    void proxyOf_upstream_servesUpstreamImage() {
        TestImages.Image image = TestImages.writeImage(tmp.resolve("layout"), "single", 4, 100);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous();
             UpstreamRegistry proxy = UpstreamRegistry.proxyOf(upstream)) {
            upstream.push(image, "library/app:1");

            Skopeo.copy("docker://" + proxy.hostPort() + "/library/app:1", "dir:" + tmp.resolve("out"),
                    "--src-tls-verify=false");

            assertThat(tmp.resolve("out").resolve(image.layers().get(0).digest().hex())).exists();
            assertThat(upstream.requests("GET", "/v2/library/app/blobs/" + image.layers().get(0).digest())).isPositive();
        }
    }
}
