package io.cargohold.tls;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The TLS of one listener as its PEM files hold it now, checked the way a handshake would fail
 * otherwise: the files readable, a certificate chain (leaf first) none of which has expired, a key
 * (PKCS#8 or PKCS#1) whose signature the leaf's public key verifies, and on the admin endpoint an
 * optional client CA. Only TLS 1.2 and 1.3, and no ALPN: HTTP/1.1 only, since HTTP/2's flow-control
 * windows make large blob downloads several times slower.
 */
public final class ListenerTls {

    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final byte[] PROBE = "cargohold key check".getBytes(StandardCharsets.US_ASCII);

    private final Buffer certificate;
    private final Buffer key;
    private final Buffer clientCa;
    private final X509Certificate leaf;
    private final String fingerprint;

    private ListenerTls(Buffer certificate, Buffer key, Buffer clientCa, X509Certificate leaf, String fingerprint) {
        this.certificate = certificate;
        this.key = key;
        this.clientCa = clientCa;
        this.leaf = leaf;
        this.fingerprint = fingerprint;
    }

    /**
     * Reads and checks the files of {@code tls}, configured at {@code configKey} ({@code http.tls},
     * {@code admin.tls}); a problem is a {@link ConfigException} naming the key and the reason.
     */
    public static ListenerTls read(String configKey, CargoholdConfig.Tls tls, boolean clientCaAllowed) {
        required(configKey + ".certificate", tls.certificate());
        required(configKey + ".key", tls.key());
        if (tls.clientCa() != null && !clientCaAllowed) {
            throw new ConfigException(configKey + ".clientCa", tls.clientCa(),
                    "is only read on admin.tls (the registry API takes no client certificates)");
        }
        byte[] certificateBytes = bytes(configKey + ".certificate", tls.certificate());
        byte[] keyBytes = bytes(configKey + ".key", tls.key());
        byte[] clientCaBytes = tls.clientCa() == null ? null : bytes(configKey + ".clientCa", tls.clientCa());
        List<X509Certificate> chain = certificates(configKey + ".certificate", tls.certificate(), certificateBytes);
        for (X509Certificate certificate : chain) {
            if (certificate.getNotAfter().toInstant().isBefore(Instant.now())) {
                throw new ConfigException(configKey + ".certificate", tls.certificate(), "holds a certificate that "
                        + "expired on " + certificate.getNotAfter().toInstant() + " (" + certificate.getSubjectX500Principal() + ")");
            }
        }
        if (clientCaBytes != null) {
            certificates(configKey + ".clientCa", tls.clientCa(), clientCaBytes);
        }
        Buffer certificate = Buffer.buffer(certificateBytes);
        Buffer key = Buffer.buffer(keyBytes);
        matches(configKey, tls, privateKey(configKey + ".key", tls.key(), key, certificate), chain.get(0));
        return new ListenerTls(certificate, key, clientCaBytes == null ? null : Buffer.buffer(clientCaBytes),
                chain.get(0), fingerprint(certificateBytes, keyBytes, clientCaBytes));
    }

    /** A digest of the files' bytes as they are now, to tell whether they changed; "unreadable" when one is. */
    public static String fingerprintOf(CargoholdConfig.Tls tls) {
        try {
            return fingerprint(Files.readAllBytes(Path.of(tls.certificate())), Files.readAllBytes(Path.of(tls.key())),
                    tls.clientCa() == null ? null : Files.readAllBytes(Path.of(tls.clientCa())));
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e;
        }
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The leaf certificate served. */
    public X509Certificate certificate() {
        return leaf;
    }

    /** HTTPS only on {@code options}, with the engine {@link TlsEngine} picked. */
    public HttpServerOptions applyTo(HttpServerOptions options) {
        ServerSSLOptions ssl = sslOptions();
        options.setSsl(true)
                .setSslEngineOptions(TlsEngine.options())
                .setUseAlpn(false)
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setEnabledSecureTransportProtocols(PROTOCOLS);
        if (ssl.getTrustOptions() != null) {
            options.setTrustOptions(ssl.getTrustOptions()).setClientAuth(ssl.getClientAuth());
        }
        return options;
    }

    /** The options that replace a running server's when the files change. */
    public ServerSSLOptions sslOptions() {
        ServerSSLOptions ssl = new ServerSSLOptions()
                .setKeyCertOptions(new PemKeyCertOptions().setCertValue(certificate).setKeyValue(key))
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setUseAlpn(false);
        if (clientCa != null) {
            ssl.setTrustOptions(new PemTrustOptions().addCertValue(clientCa)).setClientAuth(ClientAuth.REQUIRED);
        }
        return ssl;
    }

    private static void required(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, null, "is required: the path of a PEM file");
        }
    }

    private static byte[] bytes(String key, String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(key, file, "cannot be read: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, file, "cannot be read: permission denied");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key, file, "cannot be read: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(String key, String file, byte[] pem) {
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new ConfigException(key, file, "holds no PEM certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new ConfigException(key, file, "holds no valid PEM certificate: " + e.getMessage());
        }
    }

    /** The key as Vert.x reads it for the handshake, which takes PKCS#8 and PKCS#1 PEM. */
    private static PrivateKey privateKey(String key, String file, Buffer pem, Buffer certificate) {
        try {
            for (KeyManager manager : new PemKeyCertOptions().setKeyValue(pem).setCertValue(certificate)
                    .getKeyManagerFactory(null).getKeyManagers()) {
                if (manager instanceof X509KeyManager x509) {
                    for (String type : List.of("RSA", "EC")) {
                        String[] aliases = x509.getServerAliases(type, null);
                        if (aliases != null && aliases.length > 0) {
                            return x509.getPrivateKey(aliases[0]);
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // The key store refuses a key of another algorithm than the certificate's.
            throw new ConfigException(key, file, "does not match the certificate: " + e.getMessage());
        } catch (Exception e) {
            throw new ConfigException(key, file, "is not a PEM private key (PKCS#8 or PKCS#1): " + e.getMessage());
        }
        throw new ConfigException(key, file, "is not a PEM private key (PKCS#8 or PKCS#1)");
    }

    /** Signs a few bytes with the key and verifies them with the certificate's public key. */
    private static void matches(String configKey, CargoholdConfig.Tls tls, PrivateKey key, X509Certificate leaf) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new ConfigException(configKey + ".key", tls.key(), "is a " + key.getAlgorithm()
                    + " key; RSA and EC keys are supported");
        };
        boolean verified;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(PROBE);
            verified = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            verified = false;
        }
        if (!verified) {
            throw new ConfigException(configKey + ".key", tls.key(), "does not match " + configKey
                    + ".certificate " + tls.certificate() + " (the certificate's public key is not the key's)");
        }
    }

    private static String fingerprint(byte[] certificate, byte[] key, byte[] clientCa) {
        try {
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            for (byte[] file : new byte[][] {certificate, key, clientCa == null ? new byte[0] : clientCa}) {
                all.update(MessageDigest.getInstance("SHA-256").digest(file));
            }
            return HexFormat.of().formatHex(all.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
