package io.cargohold.oci.error;

import java.io.IOException;

/**
 * A blob does not fit in the store's free space: {@code UNAVAILABLE}, "storage full: ...", since
 * the client may retry once space is freed.
 */
public class StorageFullException extends RegistryException {

    /** How the operating system words ENOSPC in an {@link IOException}. */
    private static final String NO_SPACE = "No space left on device";

    private final long needed;

    /** {@code needed}: the bytes the blob needs, as far as known. */
    public StorageFullException(String message, long needed, Throwable cause) {
        super(OciErrorCode.UNAVAILABLE, "storage full: " + message, null, OciErrorCode.UNAVAILABLE.httpStatus(), cause);
        this.needed = needed;
    }

    /** The bytes the blob needs, as far as known (what was written when a write found the disk full). */
    public long needed() {
        return needed;
    }

    /** Whether {@code failure}, or one of its causes, is a write that found no space left on the device. */
    public static boolean isNoSpace(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException && String.valueOf(cause.getMessage()).contains(NO_SPACE)) {
                return true;
            }
        }
        return false;
    }
}
