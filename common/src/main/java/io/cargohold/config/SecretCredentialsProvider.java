package io.cargohold.config;

import io.cargohold.spi.Credentials;
import io.cargohold.spi.CredentialsProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Optional;

/** Credentials read from a {@link SecretReference} and kept until the upstream rejects them. */
public final class SecretCredentialsProvider implements CredentialsProvider {

    private final Vertx vertx;
    private final String reference;
    private volatile Future<Optional<Credentials>> cached;

    public SecretCredentialsProvider(Vertx vertx, String reference) {
        this.vertx = vertx;
        this.reference = reference;
    }

    public static CredentialsProvider of(Vertx vertx, String reference) {
        return reference == null ? CredentialsProvider.ANONYMOUS : new SecretCredentialsProvider(vertx, reference);
    }

    @Override
    public Future<Optional<Credentials>> credentials() {
        Future<Optional<Credentials>> current = cached;
        if (current == null || current.failed()) {
            current = vertx.executeBlocking(() -> Optional.of(SecretReference.resolve(reference, System.getenv())));
            cached = current;
        }
        return current;
    }

    @Override
    public void invalidate() {
        cached = null;
    }
}
