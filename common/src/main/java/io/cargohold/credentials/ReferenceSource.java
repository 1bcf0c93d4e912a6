package io.cargohold.credentials;

import io.cargohold.config.SecretReference;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/** {@code env:NAME}, {@code file:PATH} or literal {@code username:password}, read again after a TTL. */
public final class ReferenceSource implements CredentialsSource {

    private final String reference;
    private final Supplier<Map<String, String>> environment;
    private final Duration ttl;
    private final Clock clock;

    public ReferenceSource(String reference, Supplier<Map<String, String>> environment, Duration ttl, Clock clock) {
        this.reference = reference;
        this.environment = environment;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public ExpiringCredentials read() {
        return new ExpiringCredentials(SecretReference.resolve(reference, environment.get()), clock.instant().plus(ttl));
    }

    @Override
    public String reference() {
        return reference;
    }
}
