package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest such as {@code sha256:<64 hex>}; only registered algorithms are accepted. */
public record Digest(String algorithm, String hex) implements Reference {

    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        Pattern pattern = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw invalid(algorithm + ":" + hex);
        };
        if (!pattern.matcher(hex).matches()) {
            throw invalid(algorithm + ":" + hex);
        }
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
