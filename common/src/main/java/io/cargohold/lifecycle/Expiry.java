package io.cargohold.lifecycle;

/**
 * An image a rule expires, and why: {@code rule 1 (sinceImagePulled > 90 days): last pulled 2026-07-01,
 * 145 days ago}.
 */
public record Expiry(CachedImage image, LifecycleRule rule, String reason) {
}
