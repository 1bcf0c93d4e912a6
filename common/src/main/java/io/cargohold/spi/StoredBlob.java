package io.cargohold.spi;

import io.cargohold.oci.Digest;

import java.time.Instant;

/** A committed blob as a listing finds it: its digest, size and when it was last written. */
public record StoredBlob(Digest digest, long size, Instant lastModified) {
}
