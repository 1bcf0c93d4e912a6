package io.cargohold.upstream.http;

/** A token from a registry's token server, usable until {@code expiresAtNanos} ({@link System#nanoTime()}). */
record BearerToken(String value, long expiresAtNanos) {

    boolean isValid(long nowNanos) {
        return nowNanos - expiresAtNanos < 0;
    }

    String authorization() {
        return "Bearer " + value;
    }
}
