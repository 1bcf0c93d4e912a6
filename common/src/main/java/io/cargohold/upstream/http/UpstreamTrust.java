package io.cargohold.upstream.http;

import io.cargohold.config.ConfigException;
import io.cargohold.config.UpstreamTls;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.net.impl.KeyStoreHelper;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What an upstream HTTP client trusts and presents, read from an {@link UpstreamTls}: the system
 * trust store plus the {@code caFile}'s certificates (both in one PKIX trust manager, which checks
 * the host name of every connection, redirect hops included), or any certificate with
 * {@code insecureSkipVerify: true}; and the client certificate, if any. Every file is read and
 * checked when loaded, so a bad one fails naming its key.
 */
public final class UpstreamTrust {

    private static final int MAX_CAUSES = 16;
    private static final byte[] KEY_PROBE = "cargohold key check".getBytes(StandardCharsets.US_ASCII);

    private final X509ExtendedTrustManager trustManager;
    private final KeyManagerFactory keyManagers;

    private UpstreamTrust(X509ExtendedTrustManager trustManager, KeyManagerFactory keyManagers) {
        this.trustManager = trustManager;
        this.keyManagers = keyManagers;
    }

    /**
     * Reads the files of {@code tls}; a missing, unreadable or malformed one, or a client key not
     * matching its certificate, fails with a {@link ConfigException} naming {@code key.field}.
     */
    public static UpstreamTrust load(String key, UpstreamTls tls) {
        if ((tls.clientCertificate() == null) != (tls.clientKey() == null)) {
            String missing = tls.clientKey() == null ? "clientKey" : "clientCertificate";
            throw new ConfigException(key + "." + missing, null, "is needed with "
                    + (tls.clientKey() == null ? "clientCertificate" : "clientKey"));
        }
        X509ExtendedTrustManager trust = tls.skipsVerification() ? new AnyCertificate()
                : new NamingTrustManager(pkix(key + ".caFile", tls.caFile()));
        KeyManagerFactory keys = tls.clientCertificate() == null ? null
                : keyManagers(key, tls.clientCertificate(), tls.clientKey());
        return new UpstreamTrust(trust, keys);
    }

    /** Trust that refuses every certificate, saying why: for settings whose files cannot be used. */
    public static UpstreamTrust refusing(String reason) {
        return new UpstreamTrust(new Refusing("cannot check certificates: " + reason), null);
    }

    /** Sets these on {@code options}, with host name verification on. */
    public HttpClientOptions applyTo(HttpClientOptions options) {
        options.setVerifyHost(true).setTrustOptions(TrustOptions.wrap(trustManager));
        if (keyManagers != null) {
            options.setKeyCertOptions(KeyCertOptions.wrap(keyManagers));
        }
        return options;
    }

    /**
     * Why a TLS handshake failed, from the causes of {@code failure} (Vert.x reports only "Failed to
     * create SSL connection"): the certificate check's own words ("certificate not trusted (...)",
     * "certificate is for a.example, not b.example"), or the handshake's; empty when it was no TLS failure.
     */
    public static Optional<String> handshakeFailure(Throwable failure) {
        SSLException handshake = null;
        Throwable cause = failure;
        for (int i = 0; cause != null && i < MAX_CAUSES; i++, cause = cause.getCause()) {
            if (cause instanceof UpstreamCertificateException certificate) {
                return Optional.of(certificate.getMessage());
            }
            if (handshake == null && cause instanceof SSLException ssl) {
                handshake = ssl;
            }
        }
        return Optional.ofNullable(handshake).map(ssl -> "handshake failed (" + ssl.getMessage() + ")");
    }

    private static X509ExtendedTrustManager pkix(String key, String caFile) {
        try {
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            if (caFile == null) {
                return extended(system);
            }
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (X509Certificate certificate : extended(system).getAcceptedIssuers()) {
                anchors.setCertificateEntry("system-" + n++, certificate);
            }
            for (X509Certificate certificate : certificates(key, caFile)) {
                anchors.setCertificateEntry("ca-file-" + n++, certificate);
            }
            TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            combined.init(anchors);
            return extended(combined);
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(key, caFile, "cannot be used as a trust store (" + e.getMessage() + ")");
        }
    }

    private static X509ExtendedTrustManager extended(TrustManagerFactory factory) {
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK has no X.509 trust manager");
    }

    private static List<X509Certificate> certificates(String key, String file) {
        byte[] pem = read(key, file);
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new ConfigException(key, file, "holds no PEM certificate");
        }
        try {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> certificates = read.stream().map(X509Certificate.class::cast).toList();
            if (!certificates.isEmpty()) {
                return certificates;
            }
        } catch (CertificateException malformed) {
            throw new ConfigException(key, file, "holds no readable PEM certificate (" + malformed.getMessage() + ")");
        }
        throw new ConfigException(key, file, "holds no readable PEM certificate");
    }

    private static KeyManagerFactory keyManagers(String key, String certificateFile, String keyFile) {
        X509Certificate certificate = certificates(key + ".clientCertificate", certificateFile).get(0);
        byte[] certificatePem = read(key + ".clientCertificate", certificateFile);
        byte[] keyPem = read(key + ".clientKey", keyFile);
        KeyStore store;
        Key loaded = null;
        try {
            // Vert.x's reader takes PKCS#8, PKCS#1 (RSA) and SEC1 (EC) keys, as its servers do.
            store = KeyStoreHelper.loadKeyCert(List.of(Buffer.buffer(keyPem)), List.of(Buffer.buffer(certificatePem)));
            for (String alias : Collections.list(store.aliases())) {
                loaded = store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
            }
        } catch (Exception malformed) {
            throw new ConfigException(key + ".clientKey", keyFile, "holds no readable PEM private key (PKCS#8 or "
                    + "PKCS#1): " + malformed.getMessage());
        }
        if (!(loaded instanceof PrivateKey privateKey)) {
            throw new ConfigException(key + ".clientKey", keyFile, "holds no PEM private key");
        }
        if (!matches(privateKey, certificate.getPublicKey())) {
            throw new ConfigException(key + ".clientKey", keyFile, "does not match the certificate in "
                    + certificateFile);
        }
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
            return factory;
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key + ".clientKey", keyFile, "cannot be used (" + e.getMessage() + ")");
        }
    }

    /** Whether a signature made with {@code privateKey} verifies with {@code publicKey}. */
    private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(KEY_PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(KEY_PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException mismatched) {
            return false;
        }
    }

    private static byte[] read(String key, String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(key, file, "does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, file, "cannot be read (permission denied)");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key, file, "cannot be read (" + e.getMessage() + ")");
        }
    }

    /** No certificate, with the reason {@link UpstreamFailures} reports. */
    private static final class Refusing extends X509ExtendedTrustManager {

        private final String reason;

        Refusing(String reason) {
            this.reason = reason;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new UpstreamCertificateException(reason, null);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** {@code insecureSkipVerify: true}: any certificate, for any name. */
    private static final class AnyCertificate extends X509ExtendedTrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
