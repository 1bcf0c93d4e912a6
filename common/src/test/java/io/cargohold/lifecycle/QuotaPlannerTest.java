package io.cargohold.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    private static StoredImage image(String digest, int pulledDay, Map<String, Long> blobs) {
        CachedImage image = new CachedImage(digest, List.of(), T0, Optional.of(T0.plusSeconds(86_400L * pulledDay)));
        return new StoredImage("up/app", image, "application/vnd.oci.image.manifest.v1+json", Set.of(digest), blobs);
    }
}
