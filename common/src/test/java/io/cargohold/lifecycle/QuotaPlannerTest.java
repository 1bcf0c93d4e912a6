package io.cargohold.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaPlannerTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void evictions_overBudget_leastRecentlyPulledFirstUntilWithin() {
        StoredImage old = image("old", 1, Map.of("a", 100L));
        StoredImage middle = image("middle", 2, Map.of("b", 100L));
        StoredImage recent = image("recent", 3, Map.of("c", 100L));

        assertThat(QuotaPlanner.evictions(List.of(recent, old, middle), 150, image -> true))
                .containsExactly(old, middle);
    }

    @Test
    void evictions_sharedBlob_isCountedOnceAndFreedOnlyWithItsLastImage() {
        StoredImage old = image("old", 1, Map.of("shared", 100L, "a", 10L));
        StoredImage recent = image("recent", 2, Map.of("shared", 100L, "b", 10L));

        assertThat(QuotaPlanner.uniqueBytes(List.of(old, recent))).isEqualTo(120);
        assertThat(QuotaPlanner.evictions(List.of(old, recent), 115, image -> true)).containsExactly(old);
        assertThat(QuotaPlanner.evictions(List.of(old, recent), 100, image -> true)).containsExactly(old, recent);
    }

    @Test
    void evictions_withinBudget_none() {
        assertThat(QuotaPlanner.evictions(List.of(image("a", 1, Map.of("a", 100L))), 100, image -> true)).isEmpty();
    }

    @Test
    void evictions_imageNotEvictable_isSkippedButCounted() {
        StoredImage pulledNow = image("pulled-now", 1, Map.of("a", 100L));
        StoredImage other = image("other", 2, Map.of("b", 100L));

        assertThat(QuotaPlanner.evictions(List.of(pulledNow, other), 150, image -> image != pulledNow))
                .containsExactly(other);
    }

    @Test
    void evictions_manyImagesSharingBlobsInSmallPasses_choosesWhatOneGreedyPassOverAllImagesChooses() {
        Random random = new Random(13);
        List<StoredImage> images = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Map<String, Long> blobs = new HashMap<>();
            blobs.put("own-" + i, 10L + random.nextInt(1000));
            for (int shared = random.nextInt(3); shared > 0; shared--) {
                int base = random.nextInt(20);
                blobs.put("base-" + base, 500L + base);
            }
            images.add(image("image-" + i, random.nextInt(30), blobs));
        }
        Predicate<StoredImage> evictable = image -> !image.digest().endsWith("7");
        long total = QuotaPlanner.uniqueBytes(images);

        for (long budget : List.of(total, total - 1, total / 2, total / 10, 0L)) {
            List<StoredImage> expected = greedyOverAll(images, budget, evictable);
            assertThat(QuotaPlanner.evictions(images, budget, evictable, 7)).as("budget %d", budget)
                    .containsExactlyElementsOf(expected);
            assertThat(QuotaPlanner.evictions(images, budget, evictable)).as("budget %d", budget)
                    .containsExactlyElementsOf(expected);
        }
    }

    /** How the planner chose before it worked in bounded passes: every image sorted at once. */
    private static List<StoredImage> greedyOverAll(List<StoredImage> images, long budget,
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
        for (StoredImage image : images.stream().filter(evictable).sorted(QuotaPlanner.LEAST_RECENTLY_PULLED)
                .toList()) {
            if (total <= budget) {
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

    private static StoredImage image(String digest, int pulledDay, Map<String, Long> blobs) {
        CachedImage image = new CachedImage(digest, List.of(), T0, Optional.of(T0.plusSeconds(86_400L * pulledDay)));
        return new StoredImage("up/app", image, "application/vnd.oci.image.manifest.v1+json", Set.of(digest), blobs);
    }
}
