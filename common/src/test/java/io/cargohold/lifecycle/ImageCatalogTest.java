package io.cargohold.lifecycle;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.TagRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ImageCatalogTest {

    private static final String REPO = "up/app";
    private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
    private static final long DAY = 86_400_000L;

    @Test
    void images_taggedManifest_isOneImageWithItsTagsTimesAndBlobs() {
        ManifestRecord manifest = image("a", T0, T0 + DAY);
        List<StoredImage> images = ImageCatalog.images(REPO, List.of(manifest),
                List.of(tag("v2", manifest), tag("v1", manifest)));

        assertThat(images).hasSize(1);
        StoredImage image = images.get(0);
        assertThat(image.image().tags()).containsExactly("v1", "v2");
        assertThat(image.image().cachedAt()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(image.image().lastPulledAt()).contains(Instant.ofEpochMilli(T0 + DAY));
        assertThat(image.manifests()).containsExactly(manifest.digest());
        assertThat(image.blobs()).containsOnlyKeys(manifest.digest(), blob("a-config"), blob("a-layer"));
        assertThat(image.size()).isEqualTo(manifest.size() + 10 + 1000);
    }

    @Test
    void images_lastPulledAtItsCaching_countsAsNeverPulled() {
        ManifestRecord manifest = image("a", T0, T0);

        StoredImage image = ImageCatalog.images(REPO, List.of(manifest), List.of()).get(0);

        assertThat(image.image().lastPulledAt()).isEmpty();
        assertThat(image.image().tagged()).isFalse();
    }

    @Test
    void images_indexWithCachedChildren_isOneImageOwningTheChildrenAndPulledWhenAChildWas() {
        ManifestRecord amd64 = image("amd64", T0, T0 + 3 * DAY);
        ManifestRecord arm64 = image("arm64", T0, T0);
        ManifestRecord index = index(T0, T0 + DAY, amd64, arm64);

        List<StoredImage> images = ImageCatalog.images(REPO, List.of(amd64, index, arm64), List.of(tag("1", index)));

        assertThat(images).singleElement().satisfies(image -> {
            assertThat(image.digest()).isEqualTo(index.digest());
            assertThat(image.manifests()).containsExactlyInAnyOrder(index.digest(), amd64.digest(), arm64.digest());
            assertThat(image.blobs()).containsKeys(blob("amd64-layer"), blob("arm64-config"), amd64.digest());
            assertThat(image.image().lastPulledAt()).contains(Instant.ofEpochMilli(T0 + 3 * DAY));
        });
    }

    @Test
    void deletableManifests_childOfAKeptIndex_isKept() {
        ManifestRecord shared = image("shared", T0, T0);
        ManifestRecord old = image("old", T0, T0);
        ManifestRecord expiredIndex = index(T0, T0, shared, old);
        ManifestRecord keptIndex = index(T0 + DAY, T0 + DAY, shared);
        List<StoredImage> images = ImageCatalog.images(REPO, List.of(shared, old, expiredIndex, keptIndex),
                List.of(tag("old", expiredIndex), tag("new", keptIndex)));
        StoredImage expired = images.stream().filter(i -> i.digest().equals(expiredIndex.digest())).findFirst().orElseThrow();
        StoredImage kept = images.stream().filter(i -> i.digest().equals(keptIndex.digest())).findFirst().orElseThrow();

        assertThat(ImageCatalog.deletableManifests(List.of(expired), List.of(kept)))
                .containsExactlyInAnyOrder(expiredIndex.digest(), old.digest());
    }

    @Test
    void images_taggedChildOfAnIndex_isAlsoAnImageOfItsOwn() {
        ManifestRecord child = image("child", T0, T0);
        ManifestRecord index = index(T0, T0, child);

        List<StoredImage> images = ImageCatalog.images(REPO, List.of(child, index),
                List.of(tag("multi", index), tag("amd64", child)));

        assertThat(images).extracting(StoredImage::digest).containsExactlyInAnyOrder(child.digest(), index.digest());
    }

    @Test
    void references_unparseableManifest_isJustItsOwnBytes() {
        ManifestRecord broken = new ManifestRecord(REPO, Digest.sha256(bytes("{")).value(), MediaType.OCI_MANIFEST,
                bytes("{"), T0, T0);

        assertThat(ImageCatalog.references(broken)).isEqualTo(Map.of(broken.digest(), 1L));
    }

    static ManifestRecord image(String name, long cachedAt, long lastPulledAt) {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + blob(name + "-config") + "\",\"size\":10},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + blob(name + "-layer") + "\",\"size\":1000}]}";
        return record(json, MediaType.OCI_MANIFEST, cachedAt, lastPulledAt);
    }

    static ManifestRecord index(long cachedAt, long lastPulledAt, ManifestRecord... children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX
                + "\",\"manifests\":[");
        for (int i = 0; i < children.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaType.OCI_MANIFEST)
                    .append("\",\"digest\":\"").append(children[i].digest()).append("\",\"size\":")
                    .append(children[i].size()).append(",\"platform\":{\"os\":\"linux\",\"architecture\":\"arch")
                    .append(i).append("\"}}");
        }
        return record(json.append("]}").toString(), MediaType.OCI_INDEX, cachedAt, lastPulledAt);
    }

    static TagRecord tag(String tag, ManifestRecord manifest) {
        return new TagRecord(REPO, tag, manifest.digest(), T0);
    }

    private static ManifestRecord record(String json, String mediaType, long cachedAt, long lastPulledAt) {
        byte[] content = bytes(json);
        return new ManifestRecord(REPO, Digest.sha256(content).value(), mediaType, content, cachedAt, lastPulledAt);
    }

    private static String blob(String name) {
        return Digest.sha256(bytes(name)).value();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
