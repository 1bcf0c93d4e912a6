package io.cargohold.edge.http;

/** Registry-specific response headers. */
final class Headers {

    static final String CONTENT_DIGEST = "Docker-Content-Digest";
    static final String API_VERSION = "Docker-Distribution-API-Version";
    static final String WARNING = "Warning";
    static final String RANGE = "Range";
    static final String LINK = "Link";

    private Headers() {
    }
}
