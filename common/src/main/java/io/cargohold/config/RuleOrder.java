package io.cargohold.config;

import java.util.Comparator;

/**
 * The order in which rules are tried for a request: the longest prefix first, so a prefixed name
 * goes to the most specific rule; prefixes of one length alphabetically, so that a mirror request's
 * {@code ns} served by several rules' upstream always picks the same rule, whatever order the rules
 * were configured or stored in.
 */
public final class RuleOrder {

    public static final Comparator<CacheRule> MATCHING = Comparator
            .comparingInt((CacheRule rule) -> rule.prefix().length()).reversed()
            .thenComparing(CacheRule::prefix);

    private RuleOrder() {
    }
}
