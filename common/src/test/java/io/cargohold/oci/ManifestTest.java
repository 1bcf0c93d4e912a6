package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    @Test
    void parse_imageManifest_configThenLayers() {
        Manifest manifest = Manifest.parse(bytes("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":10},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":20}]}
                """.formatted(D1, D2)), null);

        assertThat(manifest.isIndex()).isFalse();
        assertThat(manifest.blobs()).extracting(d -> d.digest().value()).containsExactly(D1, D2);
    }

    @Test
    void parse_indexWithoutMediaTypeField_usesDeclaredTypeAndPlatforms() {
        Manifest manifest = Manifest.parse(bytes("""
                {"schemaVersion":2,"manifests":[{"digest":"%s","size":5,
                 "platform":{"os":"linux","architecture":"arm64"}}]}
                """.formatted(D1)), MediaType.OCI_INDEX);

        assertThat(manifest.isIndex()).isTrue();
        assertThat(manifest.manifests().get(0).platform().matches("linux", "arm64")).isTrue();
    }

    @Test
    void parse_notJson_manifestInvalid() {
        assertThatThrownBy(() -> Manifest.parse(bytes("<html>"), MediaType.OCI_MANIFEST))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_INVALID));
    }

    @Test
    void parse_unknownMediaType_manifestInvalid() {
        assertThatThrownBy(() -> Manifest.parse(bytes("{\"mediaType\":\"text/plain\"}"), null))
                .isInstanceOf(RegistryException.class).hasMessageContaining("text/plain");
    }

    @Test
    void parse_descriptorWithoutDigest_manifestInvalid() {
        assertThatThrownBy(() -> Manifest.parse(bytes("""
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"size":1},"layers":[]}
                """), null)).isInstanceOf(RegistryException.class);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
