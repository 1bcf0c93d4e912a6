package io.cargohold.lifecycle;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a repository's manifest and tag records to the images lifecycle rules and quotas count.
 *
 * <p>An image is a manifest or index that is tagged, or that no cached index of the repository
 * refers to. The child manifests of an index are part of the index's image, not images of their
 * own (unless a tag points at one): they are cached, pulled and expired with it. Cached-at is the
 * record's (ECR's "pushed"); last-pulled-at is the latest pull of the manifest or, for an index, of
 * it or any child, since clients pull an index and then their platform's manifest. A manifest
 * whose last pull is its caching counts as never pulled.
 */
public final class ImageCatalog {

    private ImageCatalog() {
    }

    /** The images of a repository as its records stand now. */
    public static Future<List<StoredImage>> load(MetadataStore metadata, String repository) {
        return Future.all(metadata.manifests(repository), metadata.tagRecords(repository))
                .map(both -> images(repository, both.<List<ManifestRecord>>resultAt(0), both.<List<TagRecord>>resultAt(1)));
    }

    public static List<StoredImage> images(String repository, Collection<ManifestRecord> manifests,
                                           Collection<TagRecord> tags) {
        Map<String, ManifestRecord> byDigest = new HashMap<>();
        manifests.forEach(record -> byDigest.put(record.digest(), record));
        Map<String, Set<String>> tagsByDigest = new HashMap<>();
        tags.forEach(tag -> tagsByDigest.computeIfAbsent(tag.digest(), d -> new TreeSet<>()).add(tag.tag()));
        Set<String> children = new HashSet<>();
        manifests.forEach(record -> children.addAll(children(record)));
        return manifests.stream()
                .filter(record -> !children.contains(record.digest()) || tagsByDigest.containsKey(record.digest()))
                .map(record -> image(repository, record, byDigest,
                        List.copyOf(tagsByDigest.getOrDefault(record.digest(), Set.of()))))
                .toList();
    }

    /**
     * Every blob a manifest references, with its size: the manifest's own bytes (the store keeps
     * them as a blob too), its config and layers, or for an index its child manifests.
     */
    public static Map<String, Long> references(ManifestRecord record) {
        Map<String, Long> blobs = new HashMap<>();
        blobs.put(record.digest(), record.size());
        parse(record).ifPresent(manifest -> {
            for (Descriptor descriptor : manifest.isIndex() ? manifest.manifests() : manifest.blobs()) {
                blobs.put(descriptor.digest().value(), descriptor.size());
            }
        });
        return blobs;
    }

    /**
     * The manifest records that can go when {@code expired} images go and {@code retained} stay: a
     * child manifest a retained index still refers to is kept.
     */
    public static Set<String> deletableManifests(Collection<StoredImage> expired, Collection<StoredImage> retained) {
        Set<String> deletable = new HashSet<>();
        expired.forEach(image -> deletable.addAll(image.manifests()));
        retained.forEach(image -> deletable.removeAll(image.manifests()));
        return deletable;
    }

    private static StoredImage image(String repository, ManifestRecord record, Map<String, ManifestRecord> byDigest,
                                     List<String> tags) {
        Set<String> manifests = new HashSet<>(Set.of(record.digest()));
        Map<String, Long> blobs = new HashMap<>(references(record));
        long lastPulled = record.lastPulledAtMillis();
        for (String child : children(record)) {
            ManifestRecord cached = byDigest.get(child);
            if (cached != null) {
                manifests.add(child);
                blobs.putAll(references(cached));
                lastPulled = Math.max(lastPulled, cached.lastPulledAtMillis());
            }
        }
        Instant cachedAt = Instant.ofEpochMilli(record.cachedAtMillis());
        Optional<Instant> lastPulledAt = lastPulled > record.cachedAtMillis()
                ? Optional.of(Instant.ofEpochMilli(lastPulled)) : Optional.empty();
        return new StoredImage(repository, new CachedImage(record.digest(), tags, cachedAt, lastPulledAt),
                record.mediaType(), manifests, blobs);
    }

    private static Set<String> children(ManifestRecord record) {
        Set<String> children = new HashSet<>();
        parse(record).filter(Manifest::isIndex)
                .ifPresent(index -> index.manifests().forEach(child -> children.add(child.digest().value())));
        return children;
    }

    /** The parsed manifest; empty for bytes that do not parse (they reference nothing then). */
    private static Optional<Manifest> parse(ManifestRecord record) {
        try {
            return Optional.of(Manifest.parse(record.content(), record.mediaType()));
        } catch (RegistryException invalid) {
            return Optional.empty();
        }
    }
}
