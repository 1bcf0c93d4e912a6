package io.cargohold.upstream.http;

import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * One call to the upstream's API: method and path under the base URL ({@code /v2/...}), the
 * token scope it needs, the media types it accepts, what it attempts (for messages: "fetching
 * manifest library/nginx:1.27 from registry-1.docker.io") and the code a 404 maps to.
 */
record RegistryRequest(HttpMethod method, String path, String scope, List<String> accept, String action,
                       OciErrorCode notFound) {

    static String pullScope(String repository) {
        return "repository:" + repository + ":pull";
    }
}
