package io.cargohold.gate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublicKeysTest {

    /** {@code key} as PEM, the way {@code cosign generate-key-pair} and {@code openssl pkey -pubout} write it. */
    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    static KeyPair ecKeyPair(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static KeyPair keyPair(String algorithm, int size) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (size > 0) {
            generator.initialize(size);
        }
        return generator.generateKeyPair();
    }

    @ParameterizedTest
    @CsvSource({"secp256r1, ECDSA P-256", "secp384r1, ECDSA P-384", "secp521r1, ECDSA P-521"})
    void parse_ecKey_returnsIt(String curve, String description) throws GeneralSecurityException {
        PublicKey key = ecKeyPair(curve).getPublic();

        PublicKey parsed = PublicKeys.parse(pem("PUBLIC KEY", key.getEncoded()));

        assertThat(parsed).isEqualTo(key);
        assertThat(PublicKeys.describe(parsed)).isEqualTo(description);
    }

    @Test
    void parse_rsaAndEd25519Keys_returnThem() throws GeneralSecurityException {
        PublicKey rsa = keyPair("RSA", 2048).getPublic();
        PublicKey ed25519 = keyPair("Ed25519", 0).getPublic();

        assertThat(PublicKeys.parse(pem("PUBLIC KEY", rsa.getEncoded()))).isEqualTo(rsa);
        assertThat(PublicKeys.parse("text before the block\n" + pem("PUBLIC KEY", ed25519.getEncoded())))
                .isEqualTo(ed25519);
        assertThat(PublicKeys.describe(PublicKeys.parse(pem("PUBLIC KEY", rsa.getEncoded())))).isEqualTo("RSA 2048");
        assertThat(PublicKeys.describe(ed25519)).isEqualTo("EdDSA");
    }

    @Test
    void parse_privateKey_saysToGiveThePublicOne() throws GeneralSecurityException {
        byte[] privateKey = ecKeyPair("secp256r1").getPrivate().getEncoded();

        assertThatThrownBy(() -> PublicKeys.parse(pem("PRIVATE KEY", privateKey)))
                .hasMessage("holds a private key (PRIVATE KEY); give the public key, such as cosign.pub");
        assertThatThrownBy(() -> PublicKeys.parse(pem("ENCRYPTED SIGSTORE PRIVATE KEY", privateKey)))
                .hasMessage("holds a private key (ENCRYPTED SIGSTORE PRIVATE KEY); give the public key, "
                        + "such as cosign.pub");
    }

    @Test
    void parse_certificate_saysToExtractTheKey() {
        assertThatThrownBy(() -> PublicKeys.parse(pem("CERTIFICATE", new byte[] {48, 3, 2, 1, 0})))
                .hasMessage("holds a certificate, not a public key; give the key (openssl x509 -pubkey -noout)");
    }

    @Test
    void parse_garbage_saysNoPublicKey() {
        assertThatThrownBy(() -> PublicKeys.parse("ssh-ed25519 AAAAC3Nza user@host"))
                .hasMessage("holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        assertThatThrownBy(() -> PublicKeys.parse(pem("PUBLIC KEY", "not a key".getBytes())))
                .hasMessage("holds a PUBLIC KEY that is not an ECDSA (P-256, P-384, P-521), RSA or Ed25519 key");
        assertThatThrownBy(() -> PublicKeys.parse(pem("RSA PUBLIC KEY", new byte[] {48, 0})))
                .hasMessage("holds a RSA PUBLIC KEY block, not a PUBLIC KEY (SubjectPublicKeyInfo)");
    }

    @Test
    void parse_weakRsaKey_fails() throws GeneralSecurityException {
        byte[] weak = keyPair("RSA", 1024).getPublic().getEncoded();

        assertThatThrownBy(() -> PublicKeys.parse(pem("PUBLIC KEY", weak)))
                .hasMessage("holds an RSA key of 1024 bits; at least 2048 are needed");
    }

    @Test
    void parse_twoKeys_fails() throws GeneralSecurityException {
        String two = pem("PUBLIC KEY", ecKeyPair("secp256r1").getPublic().getEncoded())
                + pem("PUBLIC KEY", ecKeyPair("secp256r1").getPublic().getEncoded());

        assertThatThrownBy(() -> PublicKeys.parse(two))
                .hasMessage("holds more than one PEM block; give one public key per entry");
    }
}
