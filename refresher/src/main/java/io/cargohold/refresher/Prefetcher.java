package io.cargohold.refresher;

import io.cargohold.cache.ProxyBlobStore;
import io.cargohold.cache.ProxyManifestStore;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Fetches the blobs of a newly cached image before its clients ask for them, so that their blob
 * requests hit. For an index it caches the image of each platform the rule prefetches, then their
 * blobs. Idempotent: what is stored already costs one look-up.
 */
final class Prefetcher {

    private static final int LANES = 2;

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
            return inOrder(target, manifest.blobs());
        }
        List<Future<Void>> platforms = manifest.manifests().stream()
                .filter(entry -> target.rule().prefetches(entry.platform()))
                .map(Descriptor::digest)
                .map(child -> manifests.get(target, child)
                        .compose(served -> prefetch(target, served.manifest())))
                .toList();
        return all(platforms);
    }

    /**
     * Prefetches {@value #LANES} blob(s) at a time, in the manifest's order: clients fetch the
     * blobs in that order, and one that asks for the first blob while every blob downloads at once
     * follows a download slowed by all the others. A failed blob does not stop the ones after it.
     */
    private Future<Void> inOrder(ProxyTarget target, List<Descriptor> descriptors) {
        List<Future<Void>> fetched = new ArrayList<>();
        for (int i = 0; i < descriptors.size(); i++) {
            Digest digest = descriptors.get(i).digest();
            Future<Void> turn = i < LANES ? Future.succeededFuture() : fetched.get(i - LANES).otherwiseEmpty();
            fetched.add(turn.compose(v -> blobs.prefetch(target, digest)));
        }
        return all(fetched);
    }

    private static Future<Void> all(List<Future<Void>> futures) {
        return Future.all(futures).mapEmpty();
    }
}
