package io.cargohold.edge.http;

import io.cargohold.cache.ProxyReferrers;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code GET /v2/<name>/referrers/<digest>[?artifactType=...]} (OCI Distribution 1.1): an OCI index
 * of the manifests that refer to the digest; with {@code artifactType}, only those of that type,
 * and the {@code OCI-Filters-Applied} header says the filter was applied.
 */
final class ReferrersHandler {

    static final String FILTERS_APPLIED = "OCI-Filters-Applied";
    private static final String ARTIFACT_TYPE = "artifactType";

    private final ProxyReferrers referrers;

    ReferrersHandler(ProxyReferrers referrers) {
        this.referrers = referrers;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target, String value) {
        Digest subject = Digest.parse(value);
        String artifactType = request.getParam(ARTIFACT_TYPE);
        return referrers.referrers(target, subject, artifactType).compose(index -> {
            Buffer body = Buffer.buffer(index);
            HttpServerResponse response = request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.OCI_INDEX)
                    .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(body.length()));
            if (artifactType != null) {
                response.putHeader(FILTERS_APPLIED, ARTIFACT_TYPE);
            }
            return request.method() == HttpMethod.HEAD ? response.end() : response.end(body);
        });
    }
}
