package io.cargohold.lifecycle;

import java.util.Objects;
import java.util.Optional;

/**
 * One rule of a lifecycle policy. Rules apply from the lowest {@code rulePriority}; the only action is
 * {@code expire}.
 */
public record LifecycleRule(int rulePriority, Optional<String> description, Selection selection) {

    public LifecycleRule {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(selection, "selection");
    }

    public LifecycleRule(int rulePriority, Selection selection) {
        this(rulePriority, Optional.empty(), selection);
    }

    /** The rule as explanations name it: {@code rule 1 (sinceImagePulled > 90 days)}. */
    public String label() {
        return "rule " + rulePriority + " (" + selection.criterion() + ")";
    }
}
