package io.cargohold.lifecycle;

import java.util.Map;
import java.util.Set;

/**
 * A cached image with what it is made of: the lifecycle view of it ({@link CachedImage}), the
 * manifest records it owns (its manifest or index, plus the cached child manifests of an index),
 * and every blob it references with its size (those manifests' own blobs, configs and layers).
 */
public record StoredImage(String repository, CachedImage image, String mediaType, Set<String> manifests,
                          Map<String, Long> blobs) {

    public StoredImage {
        manifests = Set.copyOf(manifests);
        blobs = Map.copyOf(blobs);
    }

    public String digest() {
        return image.digest();
    }

    /** The bytes of every blob it references, each counted once. */
    public long size() {
        return blobs.values().stream().mapToLong(Long::longValue).sum();
    }
}
