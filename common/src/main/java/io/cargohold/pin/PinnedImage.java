package io.cargohold.pin;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.RegistryException;

import java.nio.charset.StandardCharsets;

/**
 * An image as a pin names it: a repository as the cache names it ({@code <rule prefix>/<repository>}) and a tag
 * or digest, written {@code <name>:<tag>} or {@code <name>@<digest>}.
 */
public record PinnedImage(RepositoryName name, Reference reference) {

    /** Parses {@code <name>:<tag>} or {@code <name>@sha256:<hex>}; an {@link IllegalArgumentException} says why not. */
    public static PinnedImage parse(String image) {
        if (image == null) {
            throw new IllegalArgumentException("is required: <repository>:<tag> or <repository>@sha256:<hex>");
        }
        int at = image.indexOf('@');
        int separator = at >= 0 ? at : image.lastIndexOf(':');
        if (separator <= 0 || image.lastIndexOf('/') > separator) {
            throw new IllegalArgumentException("must be <repository>:<tag> or <repository>@sha256:<hex>");
        }
        String reference = image.substring(separator + 1);
        try {
            return new PinnedImage(RepositoryName.parse(image.substring(0, separator)),
                    at >= 0 ? Digest.parse(reference) : Tag.parse(reference));
        } catch (RegistryException e) {
            throw new IllegalArgumentException("must be <repository>:<tag> or <repository>@sha256:<hex> ("
                    + e.getMessage() + ": " + e.detail() + ")", e);
        }
    }

    /** The same image under {@code name} (the canonical name a rule gives it). */
    public PinnedImage named(RepositoryName canonical) {
        return new PinnedImage(canonical, reference);
    }

    /** A pin's id: the same image always gets the same one, so an image is pinned at most once. */
    public String id() {
        return Digest.sha256(toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, Pin.ID_LENGTH);
    }

    /** The tag, or null for an image named by digest. */
    public String tagOrNull() {
        return reference instanceof Tag tag ? tag.value() : null;
    }

    @Override
    public String toString() {
        return name.value() + (reference instanceof Digest ? "@" : ":") + reference.value();
    }
}
