package io.cargohold.upstream.http;

import java.time.Duration;

/**
 * Time limits of one upstream request: {@code connect} for the TCP (and TLS) connection,
 * {@code idle} for any wait on the answer or between two chunks of its body.
 */
public record UpstreamTimeouts(Duration connect, Duration idle) {

    public static final UpstreamTimeouts DEFAULT = new UpstreamTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));

    public UpstreamTimeouts {
        if (connect.isNegative() || connect.isZero() || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("time-outs must be positive: " + connect + ", " + idle);
        }
    }
}
