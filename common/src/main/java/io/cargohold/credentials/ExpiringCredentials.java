package io.cargohold.credentials;

import io.cargohold.spi.Credentials;

import java.time.Instant;

/** Credentials as read from their source, with the instant after which they are read again. */
public record ExpiringCredentials(Credentials credentials, Instant refreshAt) {
}
