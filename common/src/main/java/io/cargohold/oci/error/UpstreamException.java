package io.cargohold.oci.error;

/**
 * An upstream registry failed or could not be reached. The message keeps what was being attempted
 * ("fetching manifest dockerhub/library/nginx:1.27 from registry-1.docker.io failed: 429").
 */
public class UpstreamException extends RegistryException {

    private final int upstreamStatus;

    public UpstreamException(OciErrorCode code, String message, int httpStatus, int upstreamStatus, Throwable cause) {
        super(code, message, null, httpStatus, cause);
        this.upstreamStatus = upstreamStatus;
    }

    /** The upstream's HTTP status, or 0 when no answer came (connection refused, time-out). */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** True when the upstream could not serve, as opposed to saying the content does not exist. */
    public boolean isOutage() {
        return upstreamStatus == 0 || upstreamStatus == 429 || upstreamStatus >= 500;
    }
}
