package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: the current digest (Docker-Content-Digest),
 * media type and size of a manifest, without its body.
 */
final class ManifestChecker {

    private final RegistryEndpointCaller caller;

    ManifestChecker(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<UpstreamManifest.Head> check(String repository, Reference reference) {
        String action = "checking manifest " + repository + (reference instanceof Digest ? "@" : ":")
                + reference.value() + " on " + caller.host();
        RegistryRequest request = new RegistryRequest(HttpMethod.HEAD,
                "/v2/" + repository + "/manifests/" + reference.value(), RegistryRequest.pullScope(repository),
                MediaType.MANIFESTS, action, OciErrorCode.MANIFEST_UNKNOWN);
        return caller.call(request).compose(response -> BoundedBody.discard(caller.body(response, action)).map(v -> {
            String header = response.getHeader("Docker-Content-Digest");
            Digest digest;
            if (header != null) {
                try {
                    digest = Digest.parse(header.trim());
                } catch (RegistryException e) {
                    throw UpstreamFailures.badContent(action, OciErrorCode.DIGEST_INVALID,
                            "invalid Docker-Content-Digest " + header, response.statusCode());
                }
            } else if (reference instanceof Digest requested) {
                digest = requested;
            } else {
                throw UpstreamFailures.badContent(action, OciErrorCode.MANIFEST_INVALID,
                        "answer has no Docker-Content-Digest", response.statusCode());
            }
            if (reference instanceof Digest requested && !requested.equals(digest)) {
                throw UpstreamFailures.badContent(action, OciErrorCode.DIGEST_INVALID, "upstream says " + digest
                        + " for " + requested, response.statusCode());
            }
            String contentType = response.getHeader("Content-Type");
            String mediaType = contentType == null ? MediaType.OCTET_STREAM : contentType.split(";", 2)[0].trim();
            return new UpstreamManifest.Head(digest, mediaType, contentLength(response.getHeader("Content-Length")));
        }));
    }

    static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
