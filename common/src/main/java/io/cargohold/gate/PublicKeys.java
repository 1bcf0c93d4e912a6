package io.cargohold.gate;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM public keys signatures are verified with, as {@code cosign generate-key-pair}
 * writes them ({@code cosign.pub}): one {@code -----BEGIN PUBLIC KEY-----} block, a
 * SubjectPublicKeyInfo of an ECDSA key on P-256, P-384 or P-521, an RSA key of at least 2048 bits,
 * or an Ed25519 key.
 */
public final class PublicKeys {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final int MIN_RSA_BITS = 2048;
    /** The curves' orders tell them apart; the JDK names no curve of a decoded key. */
    private static final Map<BigInteger, String> CURVES = Map.of(
            order("secp256r1"), "P-256", order("secp384r1"), "P-384", order("secp521r1"), "P-521");
    private static final List<String> ALGORITHMS = List.of("EC", "RSA", "Ed25519");

    private PublicKeys() {
    }

    /** The key in {@code pem}; anything else fails with an {@link IllegalArgumentException} saying what it holds. */
    public static PublicKey parse(String pem) {
        Matcher block = BLOCK.matcher(pem);
        if (!block.find()) {
            throw new IllegalArgumentException("holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        String label = block.group(1);
        if (label.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("holds a private key (" + label + "); give the public key, "
                    + "such as cosign.pub");
        }
        if (label.equals("CERTIFICATE")) {
            throw new IllegalArgumentException("holds a certificate, not a public key; give the key "
                    + "(openssl x509 -pubkey -noout)");
        }
        if (!label.equals("PUBLIC KEY")) {
            throw new IllegalArgumentException("holds a " + label + " block, not a PUBLIC KEY (SubjectPublicKeyInfo)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("holds a PUBLIC KEY block that is not base64: " + e.getMessage());
        }
        if (block.find()) {
            throw new IllegalArgumentException("holds more than one PEM block; give one public key per entry");
        }
        return checked(decode(der));
    }

    /** A short description for logs and messages: {@code ECDSA P-256}, {@code RSA 4096}, {@code Ed25519}. */
    public static String describe(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            return "ECDSA " + CURVES.get(ec.getParams().getOrder());
        }
        if (key instanceof RSAPublicKey rsa) {
            return "RSA " + rsa.getModulus().bitLength();
        }
        return key.getAlgorithm();
    }

    private static PublicKey decode(byte[] der) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(spec);
            } catch (GeneralSecurityException e) {
                // not a key of this algorithm (or a curve the JDK lacks): try the next one
            }
        }
        throw new IllegalArgumentException("holds a PUBLIC KEY that is not an ECDSA (P-256, P-384, P-521), RSA or "
                + "Ed25519 key");
    }

    private static PublicKey checked(PublicKey key) {
        if (key instanceof ECPublicKey ec && !CURVES.containsKey(ec.getParams().getOrder())) {
            throw new IllegalArgumentException("holds an ECDSA key on a curve other than P-256, P-384 and P-521");
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("holds an RSA key of " + rsa.getModulus().bitLength()
                    + " bits; at least " + MIN_RSA_BITS + " are needed");
        }
        return key;
    }

    private static BigInteger order(String curve) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(curve));
            return parameters.getParameterSpec(ECParameterSpec.class).getOrder();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks the curve " + curve, e);
        }
    }
}
