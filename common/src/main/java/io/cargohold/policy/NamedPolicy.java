package io.cargohold.policy;

import java.util.Objects;

/** A policy with the name decisions cite: {@code registry}, or {@code repository dockerhub/library/nginx}. */
public record NamedPolicy(String name, Policy policy) {

    public NamedPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
    }
}
