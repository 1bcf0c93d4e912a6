package io.cargohold.cache;

import io.cargohold.config.CacheRule;

/**
 * A repository of this cache resolved to its rule: {@code name} is the canonical local name
 * (with Docker Hub's implicit {@code library/}), {@code upstreamRepository} the name upstream.
 */
public record ProxyTarget(String name, CacheRule rule, String upstreamRepository) {

    public String describe(Object reference) {
        String separator = reference.toString().contains(":") ? "@" : ":";
        return name + separator + reference;
    }
}
