package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.util.regex.Pattern;

/** A repository name, as the OCI Distribution spec restricts it. */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    public static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value.length() > MAX_LENGTH || !NAME.matcher(value).matches()) {
            throw new RegistryException(OciErrorCode.NAME_INVALID, "invalid repository name", value);
        }
    }

    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    @Override
    public int compareTo(RepositoryName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
