package io.cargohold.lifecycle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Chooses the images to evict so that a set of images fits a byte budget: least recently pulled
 * first (an image never pulled counts from when it was cached), until the bytes of the blobs they
 * reference, each blob counted once however many images share it, are within the budget. Images
 * {@code evictable} refuses (being pulled now) are counted but never chosen.
 */
public final class QuotaPlanner {

    static final Comparator<StoredImage> LEAST_RECENTLY_PULLED = Comparator
            .comparing((StoredImage image) -> image.image().lastPulledOrCachedAt())
            .thenComparing(StoredImage::repository)
            .thenComparing(StoredImage::digest);

    private QuotaPlanner() {
    }

    /** The images to evict, in eviction order; empty when the images fit. */
    public static List<StoredImage> evictions(Collection<StoredImage> images, long budgetBytes,
                                              Predicate<StoredImage> evictable) {
        Map<String, Integer> references = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        for (StoredImage image : images) {
            image.blobs().forEach((digest, size) -> {
                references.merge(digest, 1, Integer::sum);
                sizes.put(digest, size);
            });
        }
        long total = sizes.values().stream().mapToLong(Long::longValue).sum();
        List<StoredImage> evicted = new ArrayList<>();
        for (StoredImage image : images.stream().filter(evictable).sorted(LEAST_RECENTLY_PULLED).toList()) {
            if (total <= budgetBytes) {
                break;
            }
            evicted.add(image);
            for (String digest : image.blobs().keySet()) {
                if (references.merge(digest, -1, Integer::sum) == 0) {
                    total -= sizes.get(digest);
                }
            }
        }
        return evicted;
    }

    /** The bytes of the blobs {@code images} reference, each blob counted once. */
    public static long uniqueBytes(Collection<StoredImage> images) {
        Map<String, Long> sizes = new HashMap<>();
        images.forEach(image -> sizes.putAll(image.blobs()));
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }
}
