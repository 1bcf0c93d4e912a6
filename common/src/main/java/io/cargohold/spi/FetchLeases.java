package io.cargohold.spi;

import io.vertx.core.Future;

import java.net.URI;
import java.util.Optional;

/**
 * Claims on upstream fetches shared by every node, so that one fetch of a blob or manifest runs
 * cluster-wide however many nodes miss it at once. A claim is a lease: it lapses within seconds
 * when its holder dies, so another node takes the work over.
 */
public interface FetchLeases {

    /** Claims {@code key}, or learns who holds it. */
    Future<Claim> claim(String key);

    /** The outcome of a claim. */
    interface Claim {

        /** True when this caller holds the lease and must fetch, then {@link #release()}. */
        boolean held();

        /**
         * For a lease held elsewhere: where the holder serves what it is fetching to other nodes
         * while it fetches, when it does.
         */
        Optional<URI> holder();

        /** For a lease held elsewhere: completes when that holder releases it or its lease lapses. */
        Future<Void> released();

        /** Gives a held lease up; a no-op for a lease held elsewhere. */
        void release();
    }
}
