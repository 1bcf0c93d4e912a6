package io.cargohold.upstream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * {@code GET /v2/<name>/manifests/<reference>} (jib {@code ManifestPuller}): reads at most
 * {@code maxBytes}, digests the exact bytes and, when the reference is a digest, checks them
 * against it. The media type is the Content-Type, or the document's own {@code mediaType}.
 */
final class ManifestPuller {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryEndpointCaller caller;

    ManifestPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<UpstreamManifest> pull(String repository, Reference reference, long maxBytes) {
        String action = "fetching manifest " + repository + (reference instanceof Digest ? "@" : ":")
                + reference.value() + " from " + caller.host();
        RegistryRequest request = new RegistryRequest(HttpMethod.GET,
                "/v2/" + repository + "/manifests/" + reference.value(), RegistryRequest.pullScope(repository),
                MediaType.MANIFESTS, action, OciErrorCode.MANIFEST_UNKNOWN);
        return caller.call(request).compose(response -> BoundedBody.read(caller.body(response, action), maxBytes)
                .recover(failure -> Future.failedFuture(failure instanceof BoundedBody.TooLargeException
                        ? UpstreamFailures.badContent(action, OciErrorCode.MANIFEST_INVALID,
                                "manifest larger than the limit of " + maxBytes + " bytes", response.statusCode())
                        : UpstreamFailures.fromThrowable(action, failure, caller.idle())))
                .map(body -> manifest(action, reference, response, body.getBytes())));
    }

    private static UpstreamManifest manifest(String action, Reference reference, HttpClientResponse response,
                                             byte[] content) {
        Digest digest = digestOf(action, reference, response, content);
        return new UpstreamManifest(content, mediaType(response.getHeader("Content-Type"), content), digest);
    }

    /**
     * The digest of the bytes, with the algorithm of the requested digest or of the upstream's
     * Docker-Content-Digest (sha256 otherwise); a mismatch with either fails.
     */
    private static Digest digestOf(String action, Reference reference, HttpClientResponse response, byte[] content) {
        Digest declared = null;
        String header = response.getHeader("Docker-Content-Digest");
        if (header != null) {
            try {
                declared = Digest.parse(header.trim());
            } catch (RegistryException ignored) {
                // an unusable header: checked against the bytes alone
            }
        }
        Digest expected = reference instanceof Digest requested ? requested : declared;
        MessageDigest hasher = expected != null ? expected.newHasher() : Digest.sha256Hasher();
        hasher.update(content);
        Digest actual = Digest.of(hasher);
        if (expected != null && !expected.equals(actual)) {
            throw UpstreamFailures.badContent(action, OciErrorCode.DIGEST_INVALID, "manifest content has digest "
                    + actual + " but " + expected + " was expected", response.statusCode());
        }
        return actual;
    }

    static String mediaType(String contentType, byte[] content) {
        String declared = contentType == null ? null
                : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (declared != null && MediaType.isManifest(declared)) {
            return declared;
        }
        try {
            JsonNode root = JSON.readTree(content);
            if (root != null && root.path("mediaType").isTextual()) {
                return root.get("mediaType").asText();
            }
        } catch (IOException notJson) {
            // keep the declared type
        }
        return declared == null || declared.isEmpty() ? MediaType.OCTET_STREAM : declared;
    }
}
