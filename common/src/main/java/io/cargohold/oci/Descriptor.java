package io.cargohold.oci;

/** A content descriptor: what a manifest says about one piece of content. */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform) {

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null);
    }
}
