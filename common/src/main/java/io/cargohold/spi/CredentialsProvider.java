package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.Optional;

/** Where a rule's upstream credentials come from; re-read after the upstream rejects them. */
public interface CredentialsProvider {

    CredentialsProvider ANONYMOUS = new CredentialsProvider() {
        @Override
        public Future<Optional<Credentials>> credentials() {
            return Future.succeededFuture(Optional.empty());
        }

        @Override
        public void invalidate() {
        }
    };

    Future<Optional<Credentials>> credentials();

    /** Forgets cached credentials, so the next call reads them again. */
    void invalidate();
}
