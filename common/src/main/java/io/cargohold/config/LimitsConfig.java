package io.cargohold.config;

import java.time.Duration;

/**
 * Bounds that protect the cache: the largest manifest accepted from an upstream, and how long a
 * cache fill may take before it is abandoned.
 */
public record LimitsConfig(Long maxManifestBytes, Duration fillTimeout) {

    public static final LimitsConfig DEFAULT = new LimitsConfig(null, null);

    public LimitsConfig {
        maxManifestBytes = maxManifestBytes == null ? 4L * 1024 * 1024 : maxManifestBytes;
        fillTimeout = fillTimeout == null ? Duration.ofMinutes(30) : fillTimeout;
    }
}
