package io.cargohold.launcher;

/** The process roles of CONFIG.md; {@code standalone} runs them all. */
enum Role {
    STANDALONE, EDGE, REFRESHER, COORDINATOR;

    String command() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean servesRegistry() {
        return this == STANDALONE || this == EDGE;
    }
}
