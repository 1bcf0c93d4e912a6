package io.cargohold.edge.http;

import io.cargohold.cache.CacheMeters;
import io.cargohold.cache.ProxyManifestStore;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.ServedManifest;
import io.cargohold.edge.metrics.EdgeMetrics;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Reference;
import io.cargohold.oci.Tag;
import io.cargohold.spi.ManifestRecord;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.Arrays;
import java.util.List;

/** {@code GET|HEAD /v2/<name>/manifests/<reference>}: the exact upstream bytes, negotiated by Accept. */
final class ManifestHandler {

    private final ProxyManifestStore manifests;
    private final CacheMeters lookups;
    private final EdgeMetrics metrics;

    ManifestHandler(ProxyManifestStore manifests, CacheMeters lookups, EdgeMetrics metrics) {
        this.manifests = manifests;
        this.lookups = lookups;
        this.metrics = metrics;
    }

    Future<Void> handle(HttpServerRequest request, ProxyTarget target, String value, AccessRecord record) {
        Reference reference = Reference.parse(value);
        return lookup(target, reference, record)
                .compose(served -> negotiate(request, target, served, record))
                .compose(served -> respond(request, served, reference instanceof Tag tag ? tag.value() : null));
    }

    /**
     * A client that does not accept indexes (an old Docker, say) gets the linux/amd64 image of a
     * multi-platform index, as distribution does.
     */
    private Future<ServedManifest> negotiate(HttpServerRequest request, ProxyTarget target, ServedManifest served,
                                             AccessRecord record) {
        ManifestRecord manifest = served.manifest();
        if (!MediaType.isIndex(manifest.mediaType())) {
            return Future.succeededFuture(served);
        }
        List<String> accepted = accepted(request);
        if (accepted.isEmpty()
                || accepted.contains(manifest.mediaType()) || accepted.contains("*/*")
                || accepted.stream().noneMatch(MediaType::isManifest)) {
            return Future.succeededFuture(served);
        }
        return Manifest.parse(manifest.content(), manifest.mediaType()).manifests().stream()
                .filter(entry -> entry.platform() != null && entry.platform().matches("linux", "amd64"))
                .map(Descriptor::digest)
                .findFirst()
                .map(digest -> lookup(target, digest, record))
                .orElse(Future.succeededFuture(served));
    }

    /**
     * Gets a manifest through the cache, counting the lookup as a hit, a stale hit or a miss (also
     * when it failed: the cache could not answer); a stale hit or a miss waited on the upstream.
     */
    private Future<ServedManifest> lookup(ProxyTarget target, Reference reference, AccessRecord record) {
        long started = System.nanoTime();
        return manifests.get(target, reference).andThen(done -> {
            CacheMeters.Result result = done.failed() || done.result().fetched() ? CacheMeters.Result.MISS
                    : done.result().staleReason() != null ? CacheMeters.Result.STALE : CacheMeters.Result.HIT;
            lookups.cacheLookup(target.rule().prefix(), CacheMeters.Kind.MANIFEST, result);
            record.lookup(result, System.nanoTime() - started);
        });
    }

    private static List<String> accepted(HttpServerRequest request) {
        return request.headers().getAll(HttpHeaders.ACCEPT).stream()
                .flatMap(header -> Arrays.stream(header.split(",")))
                .map(type -> type.split(";", 2)[0].trim())
                .filter(type -> !type.isEmpty())
                .toList();
    }

    private Future<Void> respond(HttpServerRequest request, ServedManifest served, String tag) {
        ManifestRecord manifest = served.manifest();
        HttpServerResponse response = request.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, manifest.mediaType())
                .putHeader(Headers.CONTENT_DIGEST, manifest.digest())
                .putHeader(HttpHeaders.ETAG, "\"" + manifest.digest() + "\"")
                .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(manifest.size()));
        if (served.staleReason() != null) {
            response.putHeader(Headers.WARNING, "110 cargohold \"Response is stale: "
                    + served.staleReason().replace('"', '\'') + "\"");
        }
        if (request.method() == HttpMethod.HEAD) {
            return response.end();
        }
        manifests.recordPull(manifest, tag);
        return response.end(Buffer.buffer(manifest.content())).onSuccess(v -> metrics.bytesServed(
                served.fetched() ? EdgeMetrics.Source.UPSTREAM : EdgeMetrics.Source.CACHE, manifest.size()));
    }
}
