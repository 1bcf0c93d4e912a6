package io.cargohold.lifecycle;

/**
 * An image a rule would have expired but may not, because a rule of higher priority (lower
 * {@code rulePriority}) selected it first.
 */
public record Spared(CachedImage image, int selectedByRulePriority) {
}
