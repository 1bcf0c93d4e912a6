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
