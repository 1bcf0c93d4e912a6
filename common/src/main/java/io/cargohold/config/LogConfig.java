package io.cargohold.config;

/**
 * Logging: {@code access} (default true) writes one JSON line per registry API request to the
 * {@code cargohold.access} logger, which the logback configuration can send to a file of its own.
 */
public record LogConfig(Boolean access) {

    public static final LogConfig DEFAULT = new LogConfig(null);

    public LogConfig {
        access = access == null || access;
    }
}
