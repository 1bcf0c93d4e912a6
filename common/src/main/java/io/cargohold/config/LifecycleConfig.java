package io.cargohold.config;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The lifecycle worker: how often it applies lifecycle policies and quotas and collects garbage
 * ({@code interval}); how long a blob must have been written and unreferenced before it is
 * deleted ({@code blobGrace}); how recently pulled an image must be to be spared ({@code pullGrace});
 * and the byte budget of the whole cache ({@code quota}, a {@link ByteSize}; null: none).
 */
public record LifecycleConfig(Duration interval, Duration blobGrace, Duration pullGrace, String quota) {

    public static final LifecycleConfig DEFAULT = new LifecycleConfig(null, null, null, null);

    public LifecycleConfig {
        interval = interval == null ? Duration.ofHours(1) : interval;
        blobGrace = blobGrace == null ? Duration.ofHours(1) : blobGrace;
        pullGrace = pullGrace == null ? Duration.ofMinutes(15) : pullGrace;
    }

    /** The global byte budget, or empty when there is none. */
    public OptionalLong quotaBytes() {
        return quota == null ? OptionalLong.empty() : OptionalLong.of(ByteSize.parse(quota));
    }
}
