package io.cargohold.lifecycle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Chooses the images to evict so that a set of images fits a byte budget: least recently pulled
 * first (an image never pulled counts from when it was cached), until the bytes of the blobs they
 * reference, each blob counted once however many images share it, are within the budget. Images
 * {@code evictable} refuses (being pulled now) are counted but never chosen.
 *
 * <p>The choice is made in passes that hold only a tally of blobs ({@link QuotaTally}) and a bounded
 * set of candidates ({@link EvictionCandidates}), so a caller can feed it images a page at a time
 * from storage; {@link #evictions} does the same over images in memory.
 */
public final class QuotaPlanner {

    /** The most candidates one pass keeps. */
    public static final int MAX_CANDIDATES = 10_000;

    static final Comparator<StoredImage> LEAST_RECENTLY_PULLED = Comparator
            .comparing((StoredImage image) -> image.image().lastPulledOrCachedAt())
            .thenComparing(StoredImage::repository)
            .thenComparing(StoredImage::digest);

    private QuotaPlanner() {
    }

    /** The images to evict, in eviction order; empty when the images fit. */
    public static List<StoredImage> evictions(Collection<StoredImage> images, long budgetBytes,
                                              Predicate<StoredImage> evictable) {
        return evictions(images, budgetBytes, evictable, MAX_CANDIDATES);
    }

    static List<StoredImage> evictions(Collection<StoredImage> images, long budgetBytes,
                                       Predicate<StoredImage> evictable, int maxCandidates) {
        QuotaTally tally = new QuotaTally();
        images.forEach(tally::add);
        List<StoredImage> evicted = new ArrayList<>();
        StoredImage after = null;
        while (tally.totalBytes() > budgetBytes) {
            EvictionCandidates candidates = new EvictionCandidates(after, tally.totalBytes() - budgetBytes,
                    maxCandidates);
            images.stream().filter(evictable).forEach(candidates::offer);
            List<StoredImage> pass = candidates.inEvictionOrder();
            if (pass.isEmpty()) {
                break;
            }
            evicted.addAll(choose(pass, tally, budgetBytes));
            after = pass.get(pass.size() - 1);
        }
        return evicted;
    }

    /**
     * Takes {@code candidates} in order out of {@code tally} until it is within the budget; answers
     * those taken.
     */
    public static List<StoredImage> choose(List<StoredImage> candidates, QuotaTally tally, long budgetBytes) {
        List<StoredImage> chosen = new ArrayList<>();
        for (StoredImage image : candidates) {
            if (tally.totalBytes() <= budgetBytes) {
                break;
            }
            chosen.add(image);
            tally.remove(image);
        }
        return chosen;
    }

    /** The bytes of the blobs {@code images} reference, each blob counted once. */
    public static long uniqueBytes(Collection<StoredImage> images) {
        QuotaTally tally = new QuotaTally();
        images.forEach(tally::add);
        return tally.totalBytes();
    }
}
