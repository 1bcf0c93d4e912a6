package io.cargohold.meta.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonDocumentCodecTest {

    private static final String DIGEST = "sha256:" + "d".repeat(64);

    @Test
    void repository_encodedThenDecoded_isEqual() {
        Repository repository = new Repository("up/library/app", "up", "http://127.0.0.1:15000", "library/app", 42);
        byte[] document = MetadataDocuments.REPOSITORY_CODEC.encode(repository);
        assertThat(MetadataDocuments.REPOSITORY_CODEC.decode(document)).isEqualTo(repository);
    }

    @Test
    void tag_encodedThenDecoded_isEqual() {
        TagRecord tag = new TagRecord("up/library/app", "1.27", DIGEST, 7);
        assertThat(MetadataDocuments.TAG_CODEC.decode(MetadataDocuments.TAG_CODEC.encode(tag))).isEqualTo(tag);
    }

    @Test
    void manifest_encoded_isAJsonObjectOfItsComponentsWithBase64Content() throws Exception {
        byte[] content = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        ManifestRecord manifest = new ManifestRecord("up/library/app", DIGEST,
                "application/vnd.oci.image.manifest.v1+json", content, 10, 20);
        JsonNode json = new ObjectMapper().readTree(MetadataDocuments.MANIFEST_CODEC.encode(manifest));
        assertThat(json.properties()).extracting(entry -> entry.getKey()).containsExactlyInAnyOrder(
                "repository", "digest", "mediaType", "content", "cachedAtMillis", "lastPulledAtMillis", "signature");
        assertThat(Base64.getDecoder().decode(json.get("content").asText())).isEqualTo(content);
    }

    @Test
    void manifest_largestAllowed_roundTripsByteForByte() {
        byte[] content = new byte[4 * 1024 * 1024];
        new Random(1).nextBytes(content);
        ManifestRecord manifest = new ManifestRecord("up/library/app", DIGEST,
                "application/vnd.oci.image.index.v1+json", content, 1, 2);
        ManifestRecord decoded = MetadataDocuments.MANIFEST_CODEC.decode(MetadataDocuments.MANIFEST_CODEC.encode(manifest));
        assertThat(decoded.content()).isEqualTo(content);
        assertThat(decoded).usingRecursiveComparison().ignoringFields("content").isEqualTo(manifest);
    }

    @Test
    void decode_unknownPropertyAndMissingNumber_stillReads() {
        byte[] document = "{\"repository\":\"up/a\",\"tag\":\"1\",\"digest\":\"sha256:x\",\"addedLater\":true}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(MetadataDocuments.TAG_CODEC.decode(document)).isEqualTo(new TagRecord("up/a", "1", "sha256:x", 0));
    }

    @Test
    void decode_notJson_failsNamingTheType() {
        assertThatThrownBy(() -> MetadataDocuments.TAG_CODEC.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TagRecord");
    }

    @Test
    void keys_followTheDocumentLayout() {
        assertThat(MetadataDocuments.repositoryKey("up/library/app")).isEqualTo("repositories/up/library/app");
        assertThat(MetadataDocuments.manifestKey("up/library/app", DIGEST))
                .isEqualTo("manifests/up/library/app@" + DIGEST);
        assertThat(MetadataDocuments.tagKey("up/library/app", "1.27")).isEqualTo("tags/up/library/app:1.27");
    }
}
