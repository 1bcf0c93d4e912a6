package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A content digest such as {@code sha256:<64 hex>}; only registered algorithms are accepted. */
public record Digest(String algorithm, String hex) implements Reference {

    public Digest {
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw invalid(algorithm + ":" + hex);
        };
        if (!isLowerHex(hex, length)) {
            throw invalid(algorithm + ":" + hex);
        }
    }

    /** {@code [a-f0-9]{length}}, without a regular expression: every manifest and blob request parses a digest. */
    private static boolean isLowerHex(String value, int length) {
        if (value.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public static Digest parse(String value) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw invalid(value);
        }
        return new Digest(value.substring(0, colon), value.substring(colon + 1));
    }

    public static Digest of(MessageDigest hasher) {
        String algorithm = hasher.getAlgorithm().equals("SHA-512") ? "sha512" : "sha256";
        return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
    }

    public static Digest sha256(byte[] content) {
        MessageDigest hasher = sha256Hasher();
        hasher.update(content);
        return of(hasher);
    }

    public static MessageDigest sha256Hasher() {
        return hasher("SHA-256");
    }

    /** A fresh hasher for this digest's algorithm, to verify content against it. */
    public MessageDigest newHasher() {
        return hasher(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
    }

    public boolean matches(byte[] content) {
        MessageDigest hasher = newHasher();
        hasher.update(content);
        return equals(of(hasher));
    }

    @Override
    public String value() {
        return algorithm + ":" + hex;
    }

    @Override
    public String toString() {
        return value();
    }

    private static MessageDigest hasher(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is required by the JDK", e);
        }
    }

    private static RegistryException invalid(String value) {
        return new RegistryException(OciErrorCode.DIGEST_INVALID, "invalid digest", value);
    }
}
