package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Kafka topics registry events go to, one per audience: pulls, cache misses, image lifecycle
 * (cached, tag refreshed, expired, upstream errors) and audit. Configured under {@code kafka.topics}.
 */
public record KafkaTopics(String pulls, String cacheMisses, String images, String audit) {

    public static final KafkaTopics DEFAULTS =
            new KafkaTopics("cargohold.pulls", "cargohold.cache-misses", "cargohold.images", "cargohold.audit");

    private static final Set<String> KEYS = Set.of("pulls", "cacheMisses", "images", "audit");

    public KafkaTopics {
        requireName("pulls", pulls);
        requireName("cacheMisses", cacheMisses);
        requireName("images", images);
        requireName("audit", audit);
    }

    /**
     * The defaults with the names given in {@code overrides} (keys {@code pulls}, {@code cacheMisses},
     * {@code images}, {@code audit}, as in {@code kafka.topics}); null or empty means all defaults.
     *
     * @throws IllegalArgumentException for an unknown key or a blank name
     */
    public static KafkaTopics fromMap(Map<String, String> overrides) {
        if (overrides == null || overrides.isEmpty()) {
            return DEFAULTS;
        }
        for (String key : overrides.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown kafka.topics key '" + key + "' (expected one of "
                        + "pulls, cacheMisses, images, audit)");
            }
        }
        return new KafkaTopics(
                overrides.getOrDefault("pulls", DEFAULTS.pulls),
                overrides.getOrDefault("cacheMisses", DEFAULTS.cacheMisses),
                overrides.getOrDefault("images", DEFAULTS.images),
                overrides.getOrDefault("audit", DEFAULTS.audit));
    }

    /** The topic an event of this type goes to, or empty for a type this version does not route. */
    public Optional<String> topicFor(String eventType) {
        if (eventType == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (eventType) {
            case RegistryEvent.PULL -> pulls;
            case RegistryEvent.CACHE_MISS -> cacheMisses;
            case RegistryEvent.IMAGE_CACHED, RegistryEvent.TAG_REFRESHED, RegistryEvent.IMAGE_EXPIRED,
                 RegistryEvent.UPSTREAM_ERROR, RegistryEvent.IMAGE_DENIED -> images;
            case RegistryEvent.AUDIT -> audit;
            default -> null;
        });
    }

    /** Every topic, in declaration order, without duplicates. */
    public List<String> all() {
        return List.of(pulls, cacheMisses, images, audit).stream().distinct().toList();
    }

    private static void requireName(String key, String name) {
        Objects.requireNonNull(name, () -> "kafka.topics." + key + " is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("kafka.topics." + key + " is blank");
        }
    }
}
