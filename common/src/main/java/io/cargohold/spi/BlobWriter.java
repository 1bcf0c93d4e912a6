package io.cargohold.spi;

import io.cargohold.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A blob being written. Content is hashed as it is written; {@link #commit} publishes it only when
 * the hash matches the expected digest, and otherwise discards it.
 */
public interface BlobWriter extends WriteStream<Buffer> {

    /** Bytes written so far. */
    long size();

    /**
     * The sha256 digest of everything written so far, when this writer hashes as it writes; empty
     * otherwise. Lets a caller that has written the whole content know it matches before
     * {@link #commit} has made it durable.
     */
    default Optional<Digest> sha256() {
        return Optional.empty();
    }

    /**
     * The local file the content is spooled to before it is published, when there is one: a reader
     * may follow it while it grows. It is renamed or deleted once the content is published or
     * discarded, so open it while the writer is still being written.
     */
    default Optional<Path> spool() {
        return Optional.empty();
    }

    /** Publishes the content under {@code expected}; fails with DIGEST_INVALID on a mismatch. */
    Future<Void> commit(Digest expected);

    /** Discards what was written. */
    Future<Void> cancel();
}
