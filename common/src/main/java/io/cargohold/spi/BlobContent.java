package io.cargohold.spi;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.nio.file.Path;

/** Blob bytes ready to send: a file region (sent zero-copy) or a stream. */
public sealed interface BlobContent {

    long length();

    record FileRegion(Path file, long offset, long length) implements BlobContent {
    }

    /** A stream, paused until the caller pipes it. */
    record Stream(ReadStream<Buffer> stream, long length) implements BlobContent {
    }
}
