package io.cargohold.lifecycle;

import java.util.Optional;

/**
 * A lifecycle policy that ECR would refuse. {@link #ecrMessage()} is worded as ECR's
 * {@code InvalidParameterException}; {@link #field()} names the offending part of the policy text, such as
 * {@code rules[1].selection.tagStatus}, and {@link #getMessage()} is both on one line.
 */
public class LifecyclePolicyException extends RuntimeException {

    static final String POLICY_TEXT_CONSTRAINT =
            "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

    private final String field;
    private final String ecrMessage;

    private LifecyclePolicyException(String field, String ecrMessage) {
        super(field == null ? ecrMessage : ecrMessage + " (at " + field + ")");
        this.field = field;
        this.ecrMessage = ecrMessage;
    }

    /** A policy text that breaks the lifecycle policy rules; {@code field} is null when no one part is at fault. */
    static LifecyclePolicyException validation(String field, String reason) {
        return new LifecyclePolicyException(field, POLICY_TEXT_CONSTRAINT + reason + "'");
    }

    /** A policy text outside the API's length limits. */
    static LifecyclePolicyException length(String constraint) {
        return new LifecyclePolicyException("lifecyclePolicyText",
                "1 validation error detected: Value at 'lifecyclePolicyText' failed to satisfy constraint: " + constraint);
    }

    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    public String ecrMessage() {
        return ecrMessage;
    }
}
