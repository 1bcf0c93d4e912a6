package io.cargohold.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The next images a quota may evict, found in one pass over its images a page at a time: of those
 * offered that come after {@code after} in eviction order, keeps only the least recently pulled
 * ones whose sizes just reach {@code excessBytes}, and at most {@code max}. Evicting an image frees
 * at most its size, so no fewer of them can bring the quota within budget; when shared blobs leave
 * it over budget after all of them, a further pass starts after the last.
 */
public final class EvictionCandidates {

    private final StoredImage after;
    private final long excessBytes;
    private final int max;
    private final PriorityQueue<StoredImage> kept =
            new PriorityQueue<>(QuotaPlanner.LEAST_RECENTLY_PULLED.reversed());
    private long keptBytes;

    /** {@code after}: the last candidate of the previous pass, or null for the first. */
    public EvictionCandidates(StoredImage after, long excessBytes, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one candidate must be kept: " + max);
        }
        this.after = after;
        this.excessBytes = excessBytes;
        this.max = max;
    }

    /** Considers an evictable image. */
    public void offer(StoredImage image) {
        if (after != null && QuotaPlanner.LEAST_RECENTLY_PULLED.compare(image, after) <= 0) {
            return;
        }
        kept.add(image);
        keptBytes += image.size();
        while (kept.size() > max || !kept.isEmpty() && keptBytes - kept.peek().size() >= excessBytes) {
            keptBytes -= kept.poll().size();
        }
    }

    /** The candidates kept, least recently pulled first. */
    public List<StoredImage> inEvictionOrder() {
        List<StoredImage> ordered = new ArrayList<>(kept);
        ordered.sort(QuotaPlanner.LEAST_RECENTLY_PULLED);
        return ordered;
    }
}
