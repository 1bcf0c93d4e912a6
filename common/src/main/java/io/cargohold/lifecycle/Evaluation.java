package io.cargohold.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The result of applying a lifecycle policy to a repository's images at one instant: per rule what it
 * selected, expired and spared (the preview), and the images no rule expires.
 */
public record Evaluation(Instant now, List<RuleOutcome> rules, List<CachedImage> retained) {

    public Evaluation {
        rules = List.copyOf(rules);
        retained = List.copyOf(retained);
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
