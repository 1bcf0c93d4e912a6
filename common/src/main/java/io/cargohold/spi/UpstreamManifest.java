package io.cargohold.spi;

import io.cargohold.oci.Digest;

/** A manifest as an upstream answered it: exact bytes, media type and digest. */
public record UpstreamManifest(byte[] content, String mediaType, Digest digest) {

    /** What a HEAD request tells: the digest and type of the current manifest. */
    public record Head(Digest digest, String mediaType, long size) {
    }
}
