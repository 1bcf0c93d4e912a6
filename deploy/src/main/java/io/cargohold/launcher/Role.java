package io.cargohold.launcher;

import java.util.Locale;

/** The process roles of CONFIG.md; {@code standalone} runs them all. */
enum Role {
    STANDALONE, EDGE, REFRESHER, COORDINATOR;

    String command() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean servesRegistry() {
        return this == STANDALONE || this == EDGE;
    }

    boolean runsControlPlane() {
        return this == STANDALONE || this == COORDINATOR;
    }

    boolean runsWorkers() {
        return this == STANDALONE || this == REFRESHER;
    }
}
