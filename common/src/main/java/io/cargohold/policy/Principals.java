package io.cargohold.policy;

import java.util.Set;

/**
 * The {@code Principal} element of a statement: everyone ({@code "*"} or {@code {"AWS": "*"}}), whole accounts
 * ({@code "123456789012"} or {@code "arn:aws:iam::123456789012:root"}) and single identities by exact ARN.
 */
public record Principals(boolean anyone, Set<String> accounts, Set<String> arns) {

    public Principals {
        accounts = Set.copyOf(accounts);
        arns = Set.copyOf(arns);
    }

    public boolean matches(Principal principal) {
        if (anyone) {
            return true;
        }
        if (principal.isAnonymous()) {
            return false;
        }
        return accounts.contains(principal.account()) || principal.arn() != null && arns.contains(principal.arn());
    }
}
