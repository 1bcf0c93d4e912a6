package io.cargohold.policy;

import java.util.Arrays;
import java.util.Optional;

/**
 * The condition operators Cargohold evaluates. Several values for one key are alternatives (any may match); a
 * negated operator holds when none matches. A key the principal lacks fails a positive operator and satisfies a
 * negated one, as in IAM; the {@code ...IfExists} form of either holds when the key is absent.
 */
public enum ConditionOperator {
    STRING_EQUALS("StringEquals", false, false),
    STRING_NOT_EQUALS("StringNotEquals", true, false),
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", false, false),
    STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", true, false),
    STRING_LIKE("StringLike", false, false),
    STRING_NOT_LIKE("StringNotLike", true, false),
    ARN_EQUALS("ArnEquals", false, true),
    ARN_NOT_EQUALS("ArnNotEquals", true, true),
    ARN_LIKE("ArnLike", false, true),
    ARN_NOT_LIKE("ArnNotLike", true, true),
    NULL("Null", false, false);

    private final String value;
    private final boolean negated;
    private final boolean arn;

    ConditionOperator(String value, boolean negated, boolean arn) {
        this.value = value;
        this.negated = negated;
        this.arn = arn;
    }

    public String value() {
        return value;
    }

    public boolean negated() {
        return negated;
    }

    public boolean arn() {
        return arn;
    }

    static Optional<ConditionOperator> byName(String name) {
        return Arrays.stream(values()).filter(op -> op.value.equals(name)).findFirst();
    }

    /** Whether one policy value matches the principal's value (present). */
    boolean matchesOne(String policyValue, String actual) {
        return switch (this) {
            case STRING_EQUALS, STRING_NOT_EQUALS -> policyValue.equals(actual);
            case STRING_EQUALS_IGNORE_CASE, STRING_NOT_EQUALS_IGNORE_CASE -> policyValue.equalsIgnoreCase(actual);
            case STRING_LIKE, STRING_NOT_LIKE -> Glob.matches(policyValue, actual, false);
            case ARN_EQUALS, ARN_NOT_EQUALS, ARN_LIKE, ARN_NOT_LIKE -> Arn.matches(policyValue, actual, false);
            case NULL -> throw new IllegalStateException("Null has no values to match");
        };
    }
}
