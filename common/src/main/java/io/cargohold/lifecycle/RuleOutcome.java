package io.cargohold.lifecycle;

import java.util.List;

/**
 * What one rule did: the images its tagging requirements select (in cached-at order, oldest first),
 * those it expires, and those it would have expired but a higher-priority rule had selected.
 */
public record RuleOutcome(LifecycleRule rule, List<CachedImage> selected, List<Expiry> expired, List<Spared> spared) {

    public RuleOutcome {
        selected = List.copyOf(selected);
        expired = List.copyOf(expired);
        spared = List.copyOf(spared);
    }
}
