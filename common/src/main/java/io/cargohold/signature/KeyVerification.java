package io.cargohold.signature;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks a signature with a public key the way cosign signs with a key pair: ECDSA with the
 * curve's hash (SHA-256 for P-256) and an ASN.1 DER signature, RSA PKCS#1 v1.5 with SHA-256, or
 * Ed25519. A signature that cannot be parsed simply does not verify.
 */
final class KeyVerification {

    /** The DER DigestInfo prefixes of PKCS#1 v1.5 for SHA-256 and SHA-512 (RFC 8017, section 9.2). */
    private static final byte[] SHA256_DIGEST_INFO = hex("3031300d060960864801650304020105000420");
    private static final byte[] SHA512_DIGEST_INFO = hex("3051300d060960864801650304020305000440");

    private KeyVerification() {
    }

    /** Whether {@code signature} is {@code key}'s signature over {@code data}. */
    static boolean verifies(PublicKey key, byte[] data, byte[] signature) {
        return algorithm(key).map(name -> check(name, key, data, signature)).orElse(false);
    }

    /**
     * Whether {@code signature} is {@code key}'s signature over a message whose SHA-256 or SHA-512
     * hash is {@code digest} (a bundle's message signature over an image manifest), checked from
     * the hash alone. Ed25519 hashes the whole message itself, so it cannot be checked this way.
     */
    static boolean verifiesDigest(PublicKey key, byte[] digest, byte[] signature) {
        if (key instanceof ECPublicKey) {
            return check("NONEwithECDSA", key, digest, signature);
        }
        if (key instanceof RSAPublicKey && (digest.length == 32 || digest.length == 64)) {
            byte[] prefix = digest.length == 32 ? SHA256_DIGEST_INFO : SHA512_DIGEST_INFO;
            byte[] digestInfo = new byte[prefix.length + digest.length];
            System.arraycopy(prefix, 0, digestInfo, 0, prefix.length);
            System.arraycopy(digest, 0, digestInfo, prefix.length, digest.length);
            return check("NONEwithRSA", key, digestInfo, signature);
        }
        return false;
    }

    private static Optional<String> algorithm(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return Optional.of(bits <= 256 ? "SHA256withECDSA" : bits <= 384 ? "SHA384withECDSA" : "SHA512withECDSA");
        }
        if (key instanceof RSAPublicKey) {
            return Optional.of("SHA256withRSA");
        }
        if (key instanceof EdECPublicKey ed && ed.getParams().getName().equals("Ed25519")) {
            return Optional.of("Ed25519");
        }
        return Optional.empty();
    }

    private static boolean check(String algorithm, PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] hex(String value) {
        return HexFormat.of().parseHex(value);
    }
}
