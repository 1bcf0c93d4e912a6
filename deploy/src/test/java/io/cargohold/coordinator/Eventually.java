package io.cargohold.coordinator;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** Waits, briefly, for what other threads or nodes make true. */
public final class Eventually {

    public static final Duration WITHIN = Duration.ofSeconds(10);

    private Eventually() {
    }

    /** The first non-null value within {@link #WITHIN}; fails otherwise. */
    public static <T> T value(Supplier<T> probe) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("nothing within " + WITHIN);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** The status once it is {@code expected}, or the last one seen after {@link #WITHIN}. */
    public static int status(IntSupplier probe, int expected) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        int status = probe.getAsInt();
        while (status != expected && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            status = probe.getAsInt();
        }
        return status;
    }
}
