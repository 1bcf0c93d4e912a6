package io.cargohold.meta.json;

import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;

import java.nio.charset.StandardCharsets;

/**
 * Where the metadata records live in a {@link io.cargohold.spi.DocumentStore} and how they are
 * written: {@code repositories/<repo>}, {@code manifests/<repo>@<digest>} and
 * {@code tags/<repo>:<tag>}, each a JSON document of the record; registry-wide documents
 * {@code registry/<name>} as they are (the registry policy's JSON, say).
 */
public final class MetadataDocuments {

    public static final String REPOSITORIES_PREFIX = "repositories/";
    public static final String MANIFESTS_PREFIX = "manifests/";
    public static final String TAGS_PREFIX = "tags/";
    /** Registry-wide documents, such as the registry policy: {@code registry/<name>}, stored as text. */
    public static final String REGISTRY_PREFIX = "registry/";

    public static final DocumentCodec<Repository> REPOSITORY_CODEC = JsonDocumentCodec.of(Repository.class,
            repository -> repository.name() != null && repository.rulePrefix() != null);
    public static final DocumentCodec<ManifestRecord> MANIFEST_CODEC = JsonDocumentCodec.of(ManifestRecord.class,
            manifest -> manifest.repository() != null && manifest.digest() != null && manifest.mediaType() != null
                    && manifest.content() != null);
    public static final DocumentCodec<TagRecord> TAG_CODEC = JsonDocumentCodec.of(TagRecord.class,
            tag -> tag.repository() != null && tag.tag() != null && tag.digest() != null);
    public static final DocumentCodec<String> TEXT_CODEC = new DocumentCodec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] document) {
            return new String(document, StandardCharsets.UTF_8);
        }
    };

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
