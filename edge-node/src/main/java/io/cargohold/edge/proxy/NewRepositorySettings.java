package io.cargohold.edge.proxy;

import io.cargohold.spi.RepositorySettings;
import io.vertx.core.Future;

/**
 * The settings a repository is given when a pull creates it (repository creation templates answer here). The
 * edge also asks it before the first pull, to decide the pull under the repository policy the repository will
 * have.
 */
@FunctionalInterface
public interface NewRepositorySettings {

    NewRepositorySettings DEFAULTS = repository -> Future.succeededFuture(RepositorySettings.DEFAULTS);

    Future<RepositorySettings> settings(String repository);
}
