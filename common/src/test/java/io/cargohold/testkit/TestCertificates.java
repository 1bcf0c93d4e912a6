package io.cargohold.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority for tests, made with the {@code openssl} command: a CA
 * certificate, and server or client certificates it issues for given subject alternative names
 * ({@code IP:127.0.0.1}, {@code DNS:registry.example}), each with a PEM key (PKCS#8, EC P-256).
 */
public final class TestCertificates {

    private final Path dir;
    private final Path caCertificate;
    private final Path caKey;

    /** A certificate and its key, as PEM files. */
    public record Issued(Path certificate, Path key) {
    }

    private TestCertificates(Path dir, Path caCertificate, Path caKey) {
        this.dir = dir;
        this.caCertificate = caCertificate;
        this.caKey = caKey;
    }

    /** A new CA whose files live under {@code dir}. */
    public static TestCertificates authority(Path dir, String name) {
        Path certificate = dir.resolve(name + "-ca.crt");
        Path key = dir.resolve(name + "-ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", certificate.toString(), "-days", "2", "-subj", "/CN=" + name + " CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new TestCertificates(dir, certificate, key);
    }

    /** The CA's certificate: what a client adds to its trust. */
    public Path caCertificate() {
        return caCertificate;
    }

    /** A certificate named {@code name} for the given subject alternative names, issued by this CA. */
    public Issued issue(String name, String... subjectAlternativeNames) {
        Path key = dir.resolve(name + ".key");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".crt");
        Path extensions = dir.resolve(name + ".ext");
        try {
            Files.writeString(extensions, "subjectAltName=" + String.join(",", subjectAlternativeNames)
                    + "\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + name);
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", caCertificate.toString(),
                "-CAkey", caKey.toString(), "-CAcreateserial", "-out", certificate.toString(), "-days", "2",
                "-extfile", extensions.toString());
        return new Issued(certificate, key);
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "openssl", ".out");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out");
            }
            String output = Files.readString(out);
            Files.delete(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
