package io.cargohold.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One image of a repository as lifecycle rules see it: its manifest digest, the tags pointing at it
 * (empty when untagged), when it was cached (ECR's "pushed") and when it was last pulled (empty when
 * never pulled since it was cached).
 */
public record CachedImage(String digest, List<String> tags, Instant cachedAt, Optional<Instant> lastPulledAt) {

    public CachedImage {
        Objects.requireNonNull(digest, "digest");
        tags = List.copyOf(tags);
        Objects.requireNonNull(cachedAt, "cachedAt");
        Objects.requireNonNull(lastPulledAt, "lastPulledAt");
    }

    public CachedImage(String digest, List<String> tags, Instant cachedAt) {
        this(digest, tags, cachedAt, Optional.empty());
    }

    public CachedImage(String digest, List<String> tags, Instant cachedAt, Instant lastPulledAt) {
        this(digest, tags, cachedAt, Optional.of(lastPulledAt));
    }

    public boolean tagged() {
        return !tags.isEmpty();
    }

    /** The time {@code sinceImagePulled} counts from: the last pull, or the caching for an image never pulled. */
    public Instant lastPulledOrCachedAt() {
        return lastPulledAt.orElse(cachedAt);
    }
}
