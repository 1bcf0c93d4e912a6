package io.cargohold.lifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The result of applying a lifecycle policy to a repository's images at one instant: per rule what it
 * selected, expired and spared (the preview), the images no rule expires, and those a rule would expire but a
 * pin keeps ({@code pinned}, each with the rule and its reason).
 */
public record Evaluation(Instant now, List<RuleOutcome> rules, List<CachedImage> retained, List<Expiry> pinned) {

    public Evaluation {
        rules = List.copyOf(rules);
        retained = List.copyOf(retained);
        pinned = List.copyOf(pinned);
    }

    public Evaluation(Instant now, List<RuleOutcome> rules, List<CachedImage> retained) {
        this(now, rules, retained, List.of());
    }

    /** The same evaluation where the images a pin keeps ({@code pinnedDigest}) are retained instead of expired. */
    public Evaluation keeping(Predicate<String> pinnedDigest) {
        List<Expiry> kept = new ArrayList<>();
        List<RuleOutcome> outcomes = new ArrayList<>();
        for (RuleOutcome outcome : rules) {
            List<Expiry> expired = new ArrayList<>();
            for (Expiry expiry : outcome.expired()) {
                (pinnedDigest.test(expiry.image().digest()) ? kept : expired).add(expiry);
            }
            outcomes.add(new RuleOutcome(outcome.rule(), outcome.selected(), expired, outcome.spared()));
        }
        List<CachedImage> stay = new ArrayList<>(retained);
        kept.forEach(expiry -> stay.add(expiry.image()));
        stay.sort(LifecycleEvaluator.CACHED_ORDER);
        List<Expiry> allPinned = new ArrayList<>(pinned);
        allPinned.addAll(kept);
        return new Evaluation(now, outcomes, stay, allPinned);
    }

    /** Every expiry, in rule order, oldest image first within a rule. */
    public List<Expiry> expired() {
        return rules.stream().flatMap(outcome -> outcome.expired().stream()).toList();
    }

    public Set<String> expiredDigests() {
        return expired().stream().map(expiry -> expiry.image().digest()).collect(Collectors.toUnmodifiableSet());
    }

    /** The expiry of one image, if a rule expires it. */
    public Optional<Expiry> expiry(String digest) {
        return expired().stream().filter(expiry -> expiry.image().digest().equals(digest)).findFirst();
    }

    public Optional<RuleOutcome> rule(int rulePriority) {
        return rules.stream().filter(outcome -> outcome.rule().rulePriority() == rulePriority).findFirst();
    }
}
