package io.cargohold.lifecycle;

import java.util.Comparator;
import java.util.List;

/**
 * A repository's lifecycle policy in ECR's format, valid by construction: building one from rules or
 * parsing one from policy text throws {@link LifecyclePolicyException} for what ECR would refuse. The
 * rules are kept in the order they apply, lowest {@code rulePriority} first.
 */
public record LifecyclePolicy(List<LifecycleRule> rules) {

    public LifecyclePolicy {
        rules = List.copyOf(rules);
        LifecyclePolicyValidator.validate(rules);
        rules = rules.stream().sorted(Comparator.comparingInt(LifecycleRule::rulePriority)).toList();
    }

    /** Reads ECR lifecycle policy text ({@code {"rules": [...]}}), as PutLifecyclePolicy would. */
    public static LifecyclePolicy parse(String lifecyclePolicyText) {
        return new LifecyclePolicy(LifecyclePolicyParser.parse(lifecyclePolicyText));
    }
}
