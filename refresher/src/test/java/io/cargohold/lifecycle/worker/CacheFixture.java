package io.cargohold.lifecycle.worker;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts images into a real blob store and metadata store the way the edge caches them (blobs, the
 * manifest's bytes as a blob too, the manifest record, its tag), with chosen cached-at and
 * last-pulled-at times, so lifecycle tests need no upstream.
 */
final class CacheFixture {

    private final BlobStore blobs;
    private final MetadataStore metadata;

    CacheFixture(BlobStore blobs, MetadataStore metadata) {
        this.blobs = blobs;
        this.metadata = metadata;
    }

    /** Creates the repository under rule {@code prefix} with {@code policy} (null: none). */
    Future<Void> repository(String name, String prefix, String policy) {
        return metadata.createRepositoryIfAbsent(new Repository(name, prefix, "http://127.0.0.1:1", name, 0,
                RepositorySettings.DEFAULTS.withLifecyclePolicy(policy))).mapEmpty();
    }

    /** An image whose config and layers have the given contents; tagged unless {@code tag} is null. */
    Future<ManifestRecord> image(String repository, String tag, long cachedAt, long lastPulledAt, String... layers) {
        List<String> contents = new ArrayList<>(List.of("config of " + String.join("+", layers)));
        contents.addAll(List.of(layers));
        Future<Void> written = Future.succeededFuture();
        for (String content : contents) {
            written = written.compose(v -> blob(content)).mapEmpty();
        }
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST
                + "\",\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", contents.get(0))
                + ",\"layers\":[");
        for (int i = 1; i < contents.size(); i++) {
            json.append(i == 1 ? "" : ",").append(descriptor("application/vnd.oci.image.layer.v1.tar", contents.get(i)));
        }
        String manifest = json.append("]}").toString();
        return written.compose(v -> manifest(repository, tag, MediaType.OCI_MANIFEST, manifest, cachedAt, lastPulledAt));
    }

    /** An index over cached image manifests. */
    Future<ManifestRecord> index(String repository, String tag, long cachedAt, long lastPulledAt,
                                 ManifestRecord... children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX
                + "\",\"manifests\":[");
        for (int i = 0; i < children.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaType.OCI_MANIFEST)
                    .append("\",\"digest\":\"").append(children[i].digest()).append("\",\"size\":")
                    .append(children[i].size()).append(",\"platform\":{\"os\":\"linux\",\"architecture\":\"a")
                    .append(i).append("\"}}");
        }
        return manifest(repository, tag, MediaType.OCI_INDEX, json.append("]}").toString(), cachedAt, lastPulledAt);
    }

    /** Stores a blob with this content. */
    Future<Digest> blob(String content) {
        byte[] bytes = bytes(content);
        Digest digest = Digest.sha256(bytes);
        BlobWriter writer = blobs.create();
        return writer.write(Buffer.buffer(bytes)).compose(v -> writer.commit(digest)).map(digest);
    }

    static Digest digestOf(String content) {
        return Digest.sha256(bytes(content));
    }

    private Future<ManifestRecord> manifest(String repository, String tag, String mediaType, String json,
                                            long cachedAt, long lastPulledAt) {
        byte[] content = bytes(json);
        ManifestRecord record = new ManifestRecord(repository, Digest.sha256(content).value(), mediaType, content,
                cachedAt, lastPulledAt);
        return blob(json)
                .compose(v -> metadata.putManifest(record))
                .compose(v -> tag == null ? Future.succeededFuture()
                        : metadata.putTag(new TagRecord(repository, tag, record.digest(), cachedAt)))
                .map(record);
    }

    private static String descriptor(String mediaType, String content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digestOf(content) + "\",\"size\":"
                + bytes(content).length + "}";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
