package io.cargohold.oci;

/**
 * What follows {@code /manifests/} in a request: a tag or a digest.
 */
public sealed interface Reference permits Tag, Digest {

    static Reference parse(String value) {
        return value.contains(":") ? Digest.parse(value) : Tag.parse(value);
    }

    String value();
}
