package io.cargohold.upstream.http;

import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * One call to the upstream's API: method and path under the base URL ({@code /v2/...}), the
 * token scope it needs, the media types it accepts, what it attempts (for messages: "fetching
 * manifest library/nginx:1.27 from registry-1.docker.io"), the code a 404 maps to, and an HTTP
 * {@code Range} (null for the whole resource), which follows redirects with the request.
 */
record RegistryRequest(HttpMethod method, String path, String scope, List<String> accept, String action,
                       OciErrorCode notFound, String range) {

    RegistryRequest(HttpMethod method, String path, String scope, List<String> accept, String action,
                    OciErrorCode notFound) {
        this(method, path, scope, accept, action, notFound, null);
    }

    static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }
}
