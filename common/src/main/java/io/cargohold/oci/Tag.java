package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.util.regex.Pattern;

/**
 * A tag, as the OCI Distribution spec restricts it. A name outside that grammar can tag no
 * manifest, so asking for one is {@code MANIFEST_UNKNOWN} (404), as the spec's conformance suite
 * expects; a malformed digest stays {@code DIGEST_INVALID}.
 */
public record Tag(String value) implements Reference {

    public static final String REGEX = "[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}";
    private static final Pattern TAG = Pattern.compile(REGEX);

    public Tag {
        if (!TAG.matcher(value).matches()) {
            throw new RegistryException(OciErrorCode.MANIFEST_UNKNOWN, "invalid tag: no manifest can have it", value);
        }
    }

    public static Tag parse(String value) {
        return new Tag(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
