package io.cargohold.oci.error;

/**
 * A failure that the registry API reports with an OCI error code. Lower layers throw it; only
 * the HTTP layer turns it into a response, with {@link #httpStatus()} as the status.
 */
public class RegistryException extends RuntimeException {

    private final OciErrorCode code;
    private final transient Object detail;
    private final int httpStatus;

    public RegistryException(OciErrorCode code, String message, Object detail) {
        this(code, message, detail, code.httpStatus(), null);
    }

    public RegistryException(OciErrorCode code, String message, Object detail, int httpStatus, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.detail = detail;
        this.httpStatus = httpStatus;
    }

    public static RegistryException blobUnknown(Object digest) {
        return new RegistryException(OciErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest);
    }

    public static RegistryException manifestUnknown(Object reference) {
        return new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "manifest unknown to registry", reference);
    }

    public static RegistryException nameUnknown(Object name) {
        return new RegistryException(OciErrorCode.NAME_UNKNOWN, "repository name not known to registry", name);
    }

    /**
     * Storage could not be used: {@code UNAVAILABLE} (503), naming the storage and the operation,
     * "storage unavailable: s3 GET blobs/sha256/ab.. in bucket b: java.net.ConnectException: ...".
     * Every storage adapter reports its failures through this one mapping.
     */
    public static RegistryException storageUnavailable(String storage, String operation, String reason,
                                                       Throwable cause) {
        return new RegistryException(OciErrorCode.UNAVAILABLE, "storage unavailable: " + storage + " " + operation
                + ": " + reason, null, OciErrorCode.UNAVAILABLE.httpStatus(), cause);
    }

    /**
     * The registry failure that {@code failure} is or wraps (a store's failure that Hazelcast or a
     * completion stage wrapped), or {@code UNKNOWN} (500) for anything else: what a client is answered.
     */
    public static RegistryException of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RegistryException registry) {
                return registry;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return new RegistryException(OciErrorCode.UNKNOWN, "internal error", null, 500, failure);
    }

    public OciErrorCode code() {
        return code;
    }

    public Object detail() {
        return detail;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public OciError toError() {
        return new OciError(code, getMessage(), detail);
    }
}
