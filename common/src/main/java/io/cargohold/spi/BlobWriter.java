package io.cargohold.spi;

import io.cargohold.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A blob being written. Content is hashed as it is written; {@link #commit} publishes it only when
 * the hash matches the expected digest, and otherwise discards it.
 */
public interface BlobWriter extends WriteStream<Buffer> {

    /** Bytes written so far. */
    long size();

    /** Publishes the content under {@code expected}; fails with DIGEST_INVALID on a mismatch. */
    Future<Void> commit(Digest expected);

    /** Discards what was written. */
    Future<Void> cancel();
}
