package io.cargohold.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A private certificate authority made with the {@code openssl} command line, as an operator makes
 * one: a self-signed CA in {@code dir} and the server and client certificates it issues, with
 * RSA (PKCS#8 or PKCS#1) or EC keys. One CA per directory: its files have fixed names there.
 */
public final class OpensslCa {

    /** The key of an issued certificate. */
    public enum KeyKind { RSA_PKCS8, RSA_PKCS1, EC }

    /** An issued certificate and its key, as PEM files. */
    public record Issued(Path certificate, Path key, BigInteger serial) {
    }

    private final Path dir;
    private final AtomicInteger issued = new AtomicInteger();

    private OpensslCa(Path dir) {
        this.dir = dir;
    }

    /** A CA whose files ({@code ca.crt}, {@code ca.key}) are in {@code dir}. */
    public static OpensslCa create(Path dir) {
        OpensslCa ca = new OpensslCa(dir);
        ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("ca.key").toString(),
                "-out", dir.resolve("ca.crt").toString(), "-days", "30", "-subj", "/CN=cargohold test CA");
        return ca;
    }

    public Path certificate() {
        return dir.resolve("ca.crt");
    }

    /** A server certificate for 127.0.0.1 and localhost, valid for 30 days. */
    public Issued issueServer(KeyKind kind) {
        return issue("localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost", kind, 30);
    }

    /**
     * A certificate for servers and clients alike, for the given subject alternative names
     * ({@code IP:127.0.0.1}, {@code DNS:registry.example}), with an EC key, valid for 30 days.
     */
    public Issued issue(String commonName, String... subjectAlternativeNames) {
        return issue(commonName, "subjectAltName=" + String.join(",", subjectAlternativeNames)
                + "\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE", KeyKind.EC, 30);
    }

    /** A certificate for {@code commonName} valid for {@code days} (negative: expired that long ago). */
    public Issued issue(String commonName, String extension, KeyKind kind, int days) {
        String name = "issued-" + issued.incrementAndGet();
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".crt");
        Path ext = dir.resolve(name + ".ext");
        switch (kind) {
            case RSA_PKCS8 -> openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", key.toString());
            case RSA_PKCS1 -> openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
            case EC -> openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key.toString());
        }
        openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
        write(ext, extension + "\n");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", certificate().toString(),
                "-CAkey", dir.resolve("ca.key").toString(), "-CAcreateserial", "-out", certificate.toString(),
                "-days", Integer.toString(days), "-extfile", ext.toString());
        return new Issued(certificate, key, read(certificate).getSerialNumber());
    }

    /** A context that trusts this CA and, given {@code client}, presents it (through a PKCS#12 openssl makes). */
    public SSLContext sslContext(Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", read(certificate()));
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (client != null) {
                Path p12 = dir.resolve(client.certificate().getFileName() + ".p12");
                openssl("pkcs12", "-export", "-in", client.certificate().toString(), "-inkey", client.key().toString(),
                        "-out", p12.toString(), "-passout", "pass:test");
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12)) {
                    keys.load(in, "test".toCharArray());
                }
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, "test".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate read(Path pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
