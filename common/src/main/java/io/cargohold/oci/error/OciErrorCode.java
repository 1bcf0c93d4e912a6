package io.cargohold.oci.error;

/** The error codes of the OCI Distribution spec, with the HTTP status each is answered with. */
public enum OciErrorCode {
    UNKNOWN("unknown error", 500),
    UNSUPPORTED("the operation is unsupported", 405),
    UNAUTHORIZED("authentication required", 401),
    DENIED("requested access to the resource is denied", 403),
    UNAVAILABLE("service unavailable", 503),
    TOOMANYREQUESTS("too many requests", 429),
    BLOB_UNKNOWN("blob unknown to registry", 404),
    BLOB_UPLOAD_INVALID("blob upload invalid", 400),
    BLOB_UPLOAD_UNKNOWN("blob upload unknown to registry", 404),
    DIGEST_INVALID("provided digest did not match uploaded content", 400),
    MANIFEST_BLOB_UNKNOWN("manifest references a manifest or blob unknown to registry", 404),
    MANIFEST_INVALID("manifest invalid", 400),
    MANIFEST_UNKNOWN("manifest unknown to registry", 404),
    NAME_INVALID("invalid repository name", 400),
    NAME_UNKNOWN("repository name not known to registry", 404),
    SIZE_INVALID("provided length did not match content length", 400),
    RANGE_INVALID("requested range not satisfiable", 416),
    PAGINATION_NUMBER_INVALID("invalid number of results requested", 400);

    private final String message;
    private final int httpStatus;

    OciErrorCode(String message, int httpStatus) {
        this.message = message;
        this.httpStatus = httpStatus;
    }

    public String message() {
        return message;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
