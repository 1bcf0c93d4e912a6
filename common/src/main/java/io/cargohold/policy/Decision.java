package io.cargohold.policy;

import java.util.List;

/**
 * The answer to a {@link Request}: the outcome, the action it is about, and what decided it: the policy's name
 * and the statement's Sid (or {@code Statement[i]} without one), both null for an implicit deny.
 */
public record Decision(Outcome outcome, String action, String policy, String statement, String reason) {

    public enum Outcome {
        ALLOW,
        EXPLICIT_DENY,
        IMPLICIT_DENY
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOW;
    }

    /** The decision for several actions that all have to be allowed: the first denial, else the first allow. */
    public static Decision allOf(List<Decision> decisions) {
        if (decisions.isEmpty()) {
            throw new IllegalArgumentException("no decisions");
        }
        return decisions.stream().filter(d -> !d.allowed()).findFirst().orElse(decisions.get(0));
    }

    @Override
    public String toString() {
        return outcome + " " + action + (policy == null ? "" : " by " + policy + " " + statement) + ": " + reason;
    }
}
