package io.cargohold.meta.json;

import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;

/**
 * Where the metadata records live in a {@link io.cargohold.spi.DocumentStore} and how they are
 * written: {@code repositories/<repo>}, {@code manifests/<repo>@<digest>} and
 * {@code tags/<repo>:<tag>}, each a JSON document of the record.
 */
public final class MetadataDocuments {

    public static final String REPOSITORIES_PREFIX = "repositories/";
    public static final String MANIFESTS_PREFIX = "manifests/";
    public static final String TAGS_PREFIX = "tags/";

    public static final DocumentCodec<Repository> REPOSITORY_CODEC = JsonDocumentCodec.of(Repository.class);
    public static final DocumentCodec<ManifestRecord> MANIFEST_CODEC = JsonDocumentCodec.of(ManifestRecord.class);
    public static final DocumentCodec<TagRecord> TAG_CODEC = JsonDocumentCodec.of(TagRecord.class);

    private MetadataDocuments() {
    }

    public static String repositoryKey(String repository) {
        return REPOSITORIES_PREFIX + repository;
    }

    public static String manifestKey(String repository, String digest) {
        return MANIFESTS_PREFIX + repository + "@" + digest;
    }

    public static String tagKey(String repository, String tag) {
        return TAGS_PREFIX + repository + ":" + tag;
    }
}
