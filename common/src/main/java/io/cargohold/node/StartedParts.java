package io.cargohold.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The parts a process or a role started, stopped newest first, so nothing stops while a part started after
 * it still uses it. A part that fails to stop is logged and does not keep the rest running.
 */
public final class StartedParts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartedParts.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();

    /** Adds a started part; answers it. */
    public <T extends AutoCloseable> T add(T part) {
        parts.push(part);
        return part;
    }

    @Override
    public void close() {
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                LOG.warn("stopping a part failed: {}", e.getMessage());
            }
        }
    }
}
