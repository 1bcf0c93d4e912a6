package io.cargohold.store.rocksdb;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far {@link DocumentDirectoryImport} has gone, the only metadata a node loads before it serves:
 * read from any thread by the readiness check and gauged as {@value #DOCUMENTS} {@code {state}},
 * {@code done} (documents written) of {@code total} (documents found; 0 until they are listed).
 */
public final class ImportProgress implements MeterBinder {

    public static final String DOCUMENTS = "cargohold.metadata.load.documents";

    private final AtomicLong done = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private volatile State state = State.IDLE;

    private enum State { IDLE, LISTING, IMPORTING }

    void listing() {
        state = State.LISTING;
    }

    void importing(long documents) {
        done.set(0);
        total.set(documents);
        state = State.IMPORTING;
    }

    void imported(long documents) {
        done.addAndGet(documents);
    }

    void finished() {
        state = State.IDLE;
    }

    public long done() {
        return done.get();
    }

    public long total() {
        return total.get();
    }

    /** What the import is doing ({@code loading metadata: 20000 of 105000}), or null when none runs. */
    public String describe() {
        return switch (state) {
            case IDLE -> null;
            case LISTING -> "loading metadata: listing the documents to import";
            case IMPORTING -> "loading metadata: " + done.get() + " of " + total.get();
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(DOCUMENTS, done, AtomicLong::get)
                .description("Metadata documents loaded at start-up (the one-time import of the earlier layout)")
                .tag("state", "done")
                .strongReference(true)
                .register(registry);
        Gauge.builder(DOCUMENTS, total, AtomicLong::get)
                .description("Metadata documents loaded at start-up (the one-time import of the earlier layout)")
                .tag("state", "total")
                .strongReference(true)
                .register(registry);
    }
}
