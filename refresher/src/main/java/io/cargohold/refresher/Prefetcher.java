package io.cargohold.refresher;

import io.cargohold.edge.proxy.ProxyBlobStore;
import io.cargohold.edge.proxy.ProxyManifestStore;
import io.cargohold.edge.proxy.ProxyTarget;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.util.List;

/**
 * Fetches the blobs of a newly cached image before its clients ask for them, so that their blob
 * requests hit. For an index it caches the image of each platform the rule prefetches, then their
 * blobs. Idempotent: what is stored already costs one look-up.
 */
final class Prefetcher {

    private final MetadataStore metadata;
    private final ProxyManifestStore manifests;
    private final ProxyBlobStore blobs;

    Prefetcher(MetadataStore metadata, ProxyManifestStore manifests, ProxyBlobStore blobs) {
        this.metadata = metadata;
        this.manifests = manifests;
        this.blobs = blobs;
    }

    Future<Void> prefetch(ProxyTarget target, Digest digest) {
        return metadata.manifest(target.name(), digest.value()).compose(stored -> stored.isEmpty()
                ? Future.succeededFuture()
                : prefetch(target, stored.get()));
    }

    private Future<Void> prefetch(ProxyTarget target, ManifestRecord record) {
        Manifest manifest = Manifest.parse(record.content(), record.mediaType());
        if (!manifest.isIndex()) {
            return all(manifest.blobs().stream().map(blob -> blobs.prefetch(target, blob.digest())).toList());
        }
        List<Future<Void>> platforms = manifest.manifests().stream()
                .filter(entry -> target.rule().prefetches(entry.platform()))
                .map(Descriptor::digest)
                .map(child -> manifests.get(target, child)
                        .compose(served -> prefetch(target, served.manifest())))
                .toList();
        return all(platforms);
    }

    private static Future<Void> all(List<Future<Void>> futures) {
        return Future.all(futures).mapEmpty();
    }
}
