package io.cargohold.edge.proxy;

import io.cargohold.spi.ManifestRecord;

/** A manifest to answer with; {@code staleReason} is set when upstream could not confirm a stale tag. */
public record ServedManifest(ManifestRecord manifest, String staleReason) {

    public static ServedManifest fresh(ManifestRecord manifest) {
        return new ServedManifest(manifest, null);
    }
}
