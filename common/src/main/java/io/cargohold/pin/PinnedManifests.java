package io.cargohold.pin;

import io.cargohold.oci.Digest;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The manifests pins keep, by repository and digest: each pin's resolved digest, the platform manifests it
 * warmed for an index, and the digest it names when it names one (kept even before its first warm-up).
 */
public final class PinnedManifests {

    public static final PinnedManifests NONE = new PinnedManifests(Set.of());

    private final Set<String> keys;

    private PinnedManifests(Set<String> keys) {
        this.keys = Set.copyOf(keys);
    }

    public static PinnedManifests of(Collection<Pin> pins) {
        Set<String> keys = new HashSet<>();
        for (Pin pin : pins) {
            PinnedImage image = pin.pinnedImage();
            String repository = image.name().value();
            if (image.reference() instanceof Digest digest) {
                keys.add(key(repository, digest.value()));
            }
            if (pin.digest() != null) {
                keys.add(key(repository, pin.digest()));
            }
            pin.platformDigests().forEach(platform -> keys.add(key(repository, platform)));
        }
        return new PinnedManifests(keys);
    }

    /** Whether a pin keeps the manifest {@code digest} of {@code repository}. */
    public boolean keeps(String repository, String digest) {
        return keys.contains(key(repository, digest));
    }

    private static String key(String repository, String digest) {
        return repository + "@" + digest;
    }
}
