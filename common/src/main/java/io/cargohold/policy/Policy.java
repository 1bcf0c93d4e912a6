package io.cargohold.policy;

import java.util.List;

/**
 * An IAM-style policy document as Amazon ECR uses them for registry and repository policies:
 * {@code {"Version": "2012-10-17", "Statement": [{"Sid", "Effect", "Principal", "Action", "Resource",
 * "Condition"}]}}. Parse with {@link #parse(String)}; anything it cannot use fully is rejected.
 */
public record Policy(String version, String id, List<Statement> statements) {

    /** ECR's limit for a policy's text. */
    public static final int MAX_CHARACTERS = 10_240;

    public Policy {
        statements = List.copyOf(statements);
    }

    /**
     * Parses and validates a policy document.
     *
     * @throws PolicyException with one line naming the JSON path, the value and the constraint broken
     */
    public static Policy parse(String json) {
        return PolicyParser.parse(json);
    }
}
