package io.cargohold.cache;

import io.cargohold.config.CacheRule;

/**
 * A repository of this cache resolved to its rule: {@code name} is the canonical local name
 * (with Docker Hub's implicit {@code library/}), {@code upstreamRepository} the name upstream, {@code gate}
 * what the rule lets in.
 */
public record ProxyTarget(String name, CacheRule rule, String upstreamRepository, RuleGate gate) {

    /**
     * Fails with {@code DENIED} when the rule's allow or deny list keeps this repository out ({@code tag}
     * null: a request by digest, checked against the repository).
     */
    public void admit(String tag) {
        gate.admit(this, tag);
    }

    public String describe(Object reference) {
        String separator = reference.toString().contains(":") ? "@" : ":";
        return name + separator + reference;
    }
}
