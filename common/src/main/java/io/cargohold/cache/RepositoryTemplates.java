package io.cargohold.cache;

import io.cargohold.spi.RepositorySettings;
import io.cargohold.spi.RepositoryTemplate;

import java.util.List;

/** The creation templates in force on this node, swapped whole when the cluster's set changes. */
public final class RepositoryTemplates {

    private volatile List<RepositoryTemplate> templates = List.of();

    public void replace(List<RepositoryTemplate> newTemplates) {
        templates = List.copyOf(newTemplates);
    }

    /** The settings a repository created now gets: its template's, else the defaults. */
    public RepositorySettings settingsFor(String repository) {
        return RepositoryTemplate.match(templates, repository).map(RepositoryTemplate::settings)
                .orElse(RepositorySettings.DEFAULTS);
    }
}
