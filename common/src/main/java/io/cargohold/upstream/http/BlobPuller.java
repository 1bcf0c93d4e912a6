package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.BlobContent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * {@code GET /v2/<name>/blobs/<digest>} (jib {@code BlobPuller}), following the redirects
 * registries send blob downloads to. The body is never buffered: the answer is handed back
 * paused with its Content-Length (-1 when unknown); the caller pipes it and checks the digest.
 */
final class BlobPuller {

    private final RegistryEndpointCaller caller;

    BlobPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<BlobContent.Stream> pull(String repository, Digest digest) {
        String action = "fetching blob " + repository + "@" + digest + " from " + caller.host();
        RegistryRequest request = new RegistryRequest(HttpMethod.GET, "/v2/" + repository + "/blobs/" + digest,
                RegistryRequest.pullScope(repository), List.of(), action, OciErrorCode.BLOB_UNKNOWN);
        return caller.call(request).map(response -> new BlobContent.Stream(caller.body(response, action),
                ManifestChecker.contentLength(response.getHeader("Content-Length"))));
    }
}
