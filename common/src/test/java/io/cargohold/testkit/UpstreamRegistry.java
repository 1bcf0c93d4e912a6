package io.cargohold.testkit;

import io.cargohold.spi.Credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real upstream registry for tests: Debian's {@code docker-registry} (CNCF distribution 2.8)
 * started as a child process on 127.0.0.1 and a free port, with a temporary configuration and
 * filesystem storage (or S3, whose blob GETs it redirects to presigned URLs), plain HTTP or HTTPS,
 * and stopped by PID in {@link #close()}. Its access log (standard output) is
 * kept in a file so tests can count the requests it served.
 */
public final class UpstreamRegistry implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /** distribution's combined log format: {@code host - - [time] "GET /v2/ HTTP/1.1" 200 2 "" "agent"}. */
    private static final Pattern ACCESS_LINE = Pattern.compile(
            "^\\S+ \\S+ \\S+ \\[[^]]*] \"(\\S+) (\\S+) [^\"]*\" (\\d{3}) (\\d+|-)(?: \"[^\"]*\" \"([^\"]*)\")?.*");

    private final Path dir;
    private final int port;
    private final Process process;
    private final Path accessLog;
    private final Path registryLog;
    private final Credentials credentials;
    private final TokenServer tokenServer;
    private final boolean tls;

    /** One line of the access log. */
    public record AccessLogEntry(String method, String path, String query, int status, long bytes, String userAgent) {
    }

    private UpstreamRegistry(Path dir, int port, boolean tls, Process process, Credentials credentials,
                             TokenServer tokenServer) {
        this.dir = dir;
        this.port = port;
        this.tls = tls;
        this.process = process;
        this.accessLog = dir.resolve("access.log");
        this.registryLog = dir.resolve("registry.log");
        this.credentials = credentials;
        this.tokenServer = tokenServer;
    }

    /** A registry anyone may pull from and push to. */
    public static UpstreamRegistry anonymous() {
        return start(dir -> "", null, null, null, null);
    }

    /**
     * An anonymous registry serving HTTPS with {@code certificate}; with {@code clientCa} (may be
     * null) it also asks for a client certificate issued by that CA.
     */
    public static UpstreamRegistry https(OpensslCa.Issued certificate, Path clientCa) {
        String tls = "  tls:\n    certificate: " + certificate.certificate() + "\n    key: " + certificate.key() + "\n"
                + (clientCa == null ? "" : "    clientcas:\n      - " + clientCa + "\n");
        return start(dir -> "", null, null, null, tls);
    }

    /**
     * A registry with HTTP basic auth keeping its content in S3 ({@code bucket}, which must exist, at
     * {@code s3Endpoint} with the {@link S3Server} credentials), answering blob GETs with a redirect
     * to a URL on {@code s3Endpoint} presigned for a few minutes, as registries in front of S3 do.
     */
    public static UpstreamRegistry basicAuthOnS3(String username, String password, String s3Endpoint,
                                                 String bucket) {
        String storage = "storage:\n  s3:\n    accesskey: " + S3Server.ACCESS_KEY + "\n    secretkey: "
                + S3Server.SECRET_KEY + "\n    region: " + S3Server.REGION + "\n    regionendpoint: " + s3Endpoint
                + "\n    bucket: " + bucket + "\n    secure: false\n    v4auth: true\n    rootdirectory: /registry\n"
                + "  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\n"
                + "  redirect:\n    disable: false\n";
        return start(htpasswd(username, password), new Credentials(username, password), null, storage, null);
    }

    /** A registry with HTTP basic auth ({@code htpasswd -Bbn user password}). */
    public static UpstreamRegistry basicAuth(String username, String password) {
        return start(htpasswd(username, password), new Credentials(username, password), null, null, null);
    }

    private static AuthSection htpasswd(String username, String password) {
        return dir -> {
            Path htpasswd = dir.resolve("htpasswd");
            String line = exec(dir, "htpasswd", "-Bbn", username, password).strip();
            Files.writeString(htpasswd, line + "\n");
            return "auth:\n  htpasswd:\n    realm: cargohold-test\n    path: " + htpasswd + "\n";
        };
    }

    /**
     * Replaces the only user of a {@link #basicAuth} registry, as a password rotation does; the
     * registry reads the file again on its next request (it watches the modification time).
     */
    public void rotateBasicAuth(String username, String password) {
        try {
            Path htpasswd = dir.resolve("htpasswd");
            String line = exec(dir, "htpasswd", "-Bbn", username, password).strip();
            // Written aside and renamed into place: the registry never reads a half-written file,
            // which would reject the old and the new password alike.
            Path next = dir.resolve("htpasswd.next");
            Files.writeString(next, line + "\n");
            Files.setLastModifiedTime(next, FileTime.from(
                    Files.getLastModifiedTime(htpasswd).toInstant().plusSeconds(1)));
            Files.move(next, htpasswd, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A registry with Docker token auth, backed by an in-process {@link TokenServer} that accepts
     * {@code username:password}.
     */
    public static UpstreamRegistry tokenAuth(String username, String password) {
        TokenServer[] server = new TokenServer[1];
        return start(dir -> {
            server[0] = TokenServer.start(dir, username, password);
            return "auth:\n  token:\n    realm: " + server[0].realm() + "\n    service: " + TokenServer.SERVICE
                    + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + server[0].rootCertBundle()
                    + "\n";
        }, new Credentials(username, password), server, null, null);
    }

    /**
     * distribution in proxy mode ({@code proxy: {remoteurl: ...}}) in front of {@code upstream},
     * for benchmarks. Basic credentials go in the URL, which distribution 2.8 honours.
     */
    public static UpstreamRegistry proxyOf(UpstreamRegistry upstream) {
        return start(dir -> {
            String remote = upstream.url();
            StringBuilder proxy = new StringBuilder("proxy:\n");
            Optional<Credentials> creds = upstream.credentials();
            if (creds.isPresent() && upstream.tokenServer().isEmpty()) {
                remote = "http://" + creds.get().username() + ":" + creds.get().password() + "@" + upstream.hostPort();
            }
            proxy.append("  remoteurl: ").append(remote).append('\n');
            if (creds.isPresent()) {
                proxy.append("  username: ").append(creds.get().username()).append('\n');
                proxy.append("  password: ").append(creds.get().password()).append('\n');
            }
            return proxy.toString();
        }, null, null, null, null);
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://} when it serves HTTPS. */
    public String url() {
        return (tls ? "https://" : "http://") + hostPort();
    }

    /** {@code 127.0.0.1:PORT}, as skopeo references want it. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The credentials clients need, if the registry requires any. */
    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /** The token server of a {@link #tokenAuth} registry. */
    public Optional<TokenServer> tokenServer() {
        return Optional.ofNullable(tokenServer);
    }

    /** The registry's working directory (configuration, logs, storage under {@code storage/}). */
    public Path dir() {
        return dir;
    }

    /**
     * Copies an image or index from its OCI layout into {@code repository:tag} here with skopeo,
     * keeping digests ({@code --preserve-digests}; {@code --all} for an index).
     */
    public void push(TestImages.LayoutEntry entry, String repositoryAndTag) {
        List<String> args = new ArrayList<>(List.of("--dest-tls-verify=false", "--preserve-digests"));
        credentials().ifPresent(c -> args.add("--dest-creds=" + c.username() + ":" + c.password()));
        if (entry instanceof TestImages.Index) {
            args.add("--all");
        }
        Skopeo.copy(entry.ociReference(), "docker://" + hostPort() + "/" + repositoryAndTag, args.toArray(String[]::new));
    }

    /** Every request in the access log so far. */
    public List<AccessLogEntry> accessLog() {
        List<AccessLogEntry> entries = new ArrayList<>();
        try (Stream<String> lines = Files.lines(accessLog, StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                Matcher m = ACCESS_LINE.matcher(line);
                if (m.matches()) {
                    String target = m.group(2);
                    int q = target.indexOf('?');
                    entries.add(new AccessLogEntry(m.group(1), q < 0 ? target : target.substring(0, q),
                            q < 0 ? "" : target.substring(q + 1), Integer.parseInt(m.group(3)),
                            m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4)), m.group(5)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** How many requests with this method had a path (without query) matching {@code pathRegex}. */
    public long requests(String method, String pathRegex) {
        Pattern path = Pattern.compile(pathRegex);
        return accessLog().stream()
                .filter(e -> e.method().equalsIgnoreCase(method) && path.matcher(e.path()).matches())
                .count();
    }

    /** The registry's own log (standard error), for failure messages. */
    public String log() {
        try {
            return Files.readString(registryLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (tokenServer != null) {
                tokenServer.close();
            }
            deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        return "UpstreamRegistry[" + url() + ", pid " + process.pid() + "]";
    }

    private interface AuthSection {
        String write(Path dir) throws IOException;
    }

    /**
     * @param storage the whole {@code storage:} section; null: the filesystem under the registry's directory
     * @param tls the lines under {@code http: tls:}; null: plain HTTP
     */
    private static UpstreamRegistry start(AuthSection section, Credentials credentials, TokenServer[] tokenServer,
                                          String storage, String tls) {
        Path dir;
        try {
            dir = Files.createTempDirectory("upstream-registry");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process = null;
        try {
            String extra = section.write(dir);
            int port = freePort();
            String storageSection = storage;
            if (storageSection == null) {
                Path root = Files.createDirectories(dir.resolve("storage"));
                storageSection = "storage:\n  filesystem:\n    rootdirectory: " + root
                        + "\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\n";
            }
            String config = "version: 0.1\n"
                    + "log:\n  level: warn\n  accesslog:\n    disabled: false\n"
                    + storageSection
                    + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: cargohold-test-secret\n"
                    + (tls == null ? "" : tls)
                    + extra;
            Path configFile = dir.resolve("config.yml");
            Files.writeString(configFile, config);
            ProcessBuilder builder = new ProcessBuilder("docker-registry", "serve", configFile.toString());
            // The S3 driver reads only its configuration: AWS_CA_BUNDLE from the environment makes it panic.
            builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
            process = builder
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(dir.resolve("access.log").toFile())
                    .redirectError(dir.resolve("registry.log").toFile())
                    .start();
            UpstreamRegistry registry = new UpstreamRegistry(dir, port, tls != null, process, credentials,
                    tokenServer == null ? null : tokenServer[0]);
            registry.awaitReady();
            return registry;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            if (tokenServer != null && tokenServer[0] != null) {
                tokenServer[0].close();
            }
            String log = "";
            try {
                log = Files.exists(dir.resolve("registry.log")) ? Files.readString(dir.resolve("registry.log")) : "";
            } catch (IOException ignored) {
                // best effort
            }
            deleteTree(dir);
            throw new IllegalStateException("docker-registry did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    /**
     * Polls {@code GET /v2/} until the registry answers with any status (a plain HTTP request to
     * an HTTPS registry is answered {@code HTTP/1.0 400}).
     */
    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                socket.setSoTimeout(2000);
                socket.getOutputStream().write(("GET /v2/ HTTP/1.1\r\nHost: " + hostPort()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] head = socket.getInputStream().readNBytes(12);
                if (new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for docker-registry", e);
            }
        }
        throw new IllegalStateException("docker-registry did not answer GET /v2/ within " + START_TIMEOUT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static String exec(Path dir, String... command) throws IOException {
        Path out = Files.createTempFile(dir, "exec", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String output = Files.readString(out);
        Files.delete(out);
        if (process.exitValue() != 0) {
            throw new IOException(command[0] + " failed: " + output);
        }
        return output;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files left behind are harmless
        }
    }
}
