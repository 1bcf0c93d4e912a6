package io.cargohold.spi;

/**
 * A stream that can be let go unread: an upstream answer is dropped with its connection instead of
 * being downloaded to the end.
 */
public interface DiscardableStream {

    /** Drops the rest of the stream; no handler is called after. */
    void discard();
}
