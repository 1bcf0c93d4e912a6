package io.cargohold.oci;

/** A satisfiable byte range of a blob: {@code length} bytes from {@code offset}. */
public record ByteRange(long offset, long length) {

    public static ByteRange all(long size) {
        return new ByteRange(0, size);
    }

    public long end() {
        return offset + length - 1;
    }
}
