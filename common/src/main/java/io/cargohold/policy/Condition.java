package io.cargohold.policy;

import java.util.List;

/** One key of one operator block, such as {@code "StringLike": {"cargohold:PrincipalTag/team": ["ci-*"]}}. */
public record Condition(ConditionOperator operator, boolean ifExists, ConditionKey key, List<String> values) {

    public Condition {
        values = List.copyOf(values);
    }

    public boolean holds(Principal principal) {
        String actual = key.valueOf(principal);
        if (operator == ConditionOperator.NULL) {
            return Boolean.parseBoolean(values.get(0)) == (actual == null);
        }
        if (actual == null) {
            return ifExists || operator.negated();
        }
        boolean any = values.stream().anyMatch(value -> operator.matchesOne(value, actual));
        return operator.negated() != any;
    }
}
