package io.cargohold.spi;

/** A repository created by the first pull under a cache rule. */
public record Repository(String name, String rulePrefix, String upstreamUrl, String upstreamRepository,
                         long createdAtMillis) {
}
