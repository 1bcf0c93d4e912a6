package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/**
 * Where the registry's API tokens are kept: one JSON document per token id, holding the digest of the
 * token, never the token itself.
 */
public interface ApiTokenStore {

    Future<Optional<String>> apiToken(String id);

    Future<Void> putApiToken(String id, String document);

    /** Removes the token; answers the document removed, if there was one. */
    Future<Optional<String>> deleteApiToken(String id);

    /** Every token's document. Blocking (a query of the cluster): call it off the event loop. */
    List<String> apiTokens();
}
