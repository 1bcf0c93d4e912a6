package io.cargohold.cache;

import io.cargohold.spi.ManifestRecord;

/**
 * A manifest to answer with; {@code staleReason} is set when upstream could not confirm a stale tag;
 * {@code fetched} when it was fetched from the upstream for this request rather than found cached.
 */
public record ServedManifest(ManifestRecord manifest, String staleReason, boolean fetched) {

    public ServedManifest(ManifestRecord manifest, String staleReason) {
        this(manifest, staleReason, false);
    }

    public static ServedManifest fresh(ManifestRecord manifest) {
        return new ServedManifest(manifest, null);
    }

    /** A manifest just fetched from the upstream. */
    public static ServedManifest fetched(ManifestRecord manifest) {
        return new ServedManifest(manifest, null, true);
    }
}
