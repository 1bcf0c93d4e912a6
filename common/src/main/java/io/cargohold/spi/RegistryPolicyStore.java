package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.Optional;

/** The registry policy's JSON, one document shared by the whole cluster. Writers validate it first. */
public interface RegistryPolicyStore {

    Future<Optional<String>> registryPolicy();

    /** Stores the policy; answers the one it replaced. */
    Future<Optional<String>> putRegistryPolicy(String policy);

    /** Removes the policy; answers the one removed. */
    Future<Optional<String>> deleteRegistryPolicy();
}
