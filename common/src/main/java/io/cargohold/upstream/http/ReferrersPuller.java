package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/referrers/<digest>} (OCI Distribution 1.1): the index of the manifests
 * whose {@code subject} is the digest, read up to {@code maxBytes}. A 404 means the upstream has
 * no referrers API (distribution 2.x), as the spec says, and answers empty: the caller then falls
 * back to the referrers tag schema.
 */
final class ReferrersPuller {

    private final RegistryEndpointCaller caller;

    ReferrersPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<Optional<byte[]>> pull(String repository, Digest subject, long maxBytes) {
        String action = "fetching referrers of " + repository + "@" + subject + " from " + caller.host();
        RegistryRequest request = new RegistryRequest(HttpMethod.GET, "/v2/" + repository + "/referrers/" + subject,
                RegistryRequest.pullScope(repository), List.of(MediaType.OCI_INDEX), action,
                OciErrorCode.MANIFEST_UNKNOWN);
        return caller.call(request)
                .compose(response -> BoundedBody.read(caller.body(response, action), maxBytes)
                        .recover(failure -> Future.failedFuture(failure instanceof BoundedBody.TooLargeException
                                ? UpstreamFailures.badContent(action, OciErrorCode.MANIFEST_INVALID,
                                        "referrers index larger than the limit of " + maxBytes + " bytes",
                                        response.statusCode())
                                : UpstreamFailures.fromThrowable(action, failure, caller.idle()))))
                .map(body -> Optional.of(body.getBytes()))
                .recover(failure -> failure instanceof UpstreamException upstream && upstream.upstreamStatus() == 404
                        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(failure));
    }
}
