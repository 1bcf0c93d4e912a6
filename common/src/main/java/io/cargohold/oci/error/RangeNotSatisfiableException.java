package io.cargohold.oci.error;

/**
 * A requested byte range lies outside the blob: {@code RANGE_INVALID}, answered (RFC 9110 §15.5.17)
 * with {@code Content-Range: bytes *}{@code /<size>} so the client learns the blob's size.
 */
public class RangeNotSatisfiableException extends RegistryException {

    private final long size;

    public RangeNotSatisfiableException(String requested, long size) {
        super(OciErrorCode.RANGE_INVALID, "requested range not satisfiable", requested + " of " + size + " bytes");
        this.size = size;
    }

    /** The size of the whole blob. */
    public long size() {
        return size;
    }

    /** The {@code Content-Range} value of the 416 answer. */
    public String contentRange() {
        return "bytes */" + size;
    }
}
