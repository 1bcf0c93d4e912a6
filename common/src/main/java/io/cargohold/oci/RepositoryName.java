package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

/** A repository name, as the OCI Distribution spec restricts it. */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    /** A path component; {@link #RepositoryName} checks names against it without the regular expression. */
    public static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value.length() > MAX_LENGTH || !isName(value)) {
            throw new RegistryException(OciErrorCode.NAME_INVALID, "invalid repository name", value);
        }
    }

    /**
     * {@code COMPONENT(/COMPONENT)*}, scanned by hand: every registry request parses a name, and the
     * regular expression was a twentieth of a cached manifest GET.
     */
    private static boolean isName(String value) {
        int i = 0;
        int length = value.length();
        while (true) {
            // a component: alphanumeric runs joined by one separator each
            if (i == length || !isAlphanumeric(value.charAt(i))) {
                return false;
            }
            while (i < length && isAlphanumeric(value.charAt(i))) {
                i++;
            }
            if (i == length) {
                return true;
            }
            char c = value.charAt(i);
            if (c == '/') {
                i++;
            } else if (c == '.') {
                i++;
                if (i == length || !isAlphanumeric(value.charAt(i))) {
                    return false;
                }
            } else if (c == '_') {
                i += i + 1 < length && value.charAt(i + 1) == '_' ? 2 : 1;
                if (i == length || !isAlphanumeric(value.charAt(i))) {
                    return false;
                }
            } else if (c == '-') {
                while (i < length && value.charAt(i) == '-') {
                    i++;
                }
                if (i == length || !isAlphanumeric(value.charAt(i))) {
                    return false;
                }
            } else {
                return false;
            }
        }
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
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
