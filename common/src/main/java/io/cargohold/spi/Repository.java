package io.cargohold.spi;

/** A repository created by the first pull under a cache rule, with the settings it was given. */
public record Repository(String name, String rulePrefix, String upstreamUrl, String upstreamRepository,
                         long createdAtMillis, RepositorySettings settings) {

    public Repository {
        settings = settings == null ? RepositorySettings.DEFAULTS : settings;
    }

    /** A repository with the default settings: mutable tags, no description, tags or policies. */
    public Repository(String name, String rulePrefix, String upstreamUrl, String upstreamRepository,
                      long createdAtMillis) {
        this(name, rulePrefix, upstreamUrl, upstreamRepository, createdAtMillis, RepositorySettings.DEFAULTS);
    }

    public Repository withSettings(RepositorySettings newSettings) {
        return new Repository(name, rulePrefix, upstreamUrl, upstreamRepository, createdAtMillis, newSettings);
    }
}
