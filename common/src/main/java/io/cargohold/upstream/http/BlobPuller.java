package io.cargohold.upstream.http;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.BlobContent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.streams.ReadStream;

import java.util.List;

/**
 * {@code GET /v2/<name>/blobs/<digest>} (jib {@code BlobPuller}), following the redirects
 * registries send blob downloads to. The body is never buffered: the answer is handed back
 * paused with its Content-Length (-1 when unknown); the caller pipes it and checks the digest.
 * A fetch from an offset asks for {@code Range: bytes=<offset>-}; an upstream that answers the
 * whole blob instead has the bytes before the offset dropped.
 */
final class BlobPuller {

    private final RegistryEndpointCaller caller;

    BlobPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<BlobContent.Stream> pull(String repository, Digest digest, long offset) {
        String action = "fetching blob " + repository + "@" + digest + (offset > 0 ? " from byte " + offset : "")
                + " from " + caller.host();
        RegistryRequest request = new RegistryRequest(HttpMethod.GET, "/v2/" + repository + "/blobs/" + digest,
                RegistryRequest.pullScope(repository), List.of(), action, OciErrorCode.BLOB_UNKNOWN,
                offset > 0 ? "bytes=" + offset + "-" : null);
        return caller.call(request).map(response -> {
            long length = ManifestChecker.contentLength(response.getHeader("Content-Length"));
            ReadStream<Buffer> body = caller.body(response, action);
            if (offset == 0 || response.statusCode() == 206) {
                return new BlobContent.Stream(body, length);
            }
            return new BlobContent.Stream(new SkippedPrefix(body, offset), length < 0 ? -1 : length - offset);
        });
    }
}
