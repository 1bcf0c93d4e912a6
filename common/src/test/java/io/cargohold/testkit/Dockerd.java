package io.cargohold.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Docker daemon (Debian's {@code docker.io} 20.10) for tests, on a {@link Containerd}
 * of the test's own: no iptables, no bridge, the vfs storage driver, data, exec root, pid file and
 * API socket under a temporary directory, and a {@code daemon.json} the test writes (for
 * {@code registry-mirrors}). The {@code docker} client runs with a private configuration
 * directory, so {@code login} keeps its credentials there. Stopped by PID in {@link #close()}; a
 * test that starts it is skipped, saying why, when dockerd cannot start on the machine.
 */
public final class Dockerd implements AutoCloseable {

    public static final Duration PULL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where dockerd (as root) looks for a registry's CA; it has no flag to move it. */
    private static final Path CERTS_D = Path.of("/etc/docker/certs.d");

    private final DaemonProcess process;
    private final Path socket;
    private final Path clientConfig;
    private final List<Path> trusted = new ArrayList<>();

    private Dockerd(DaemonProcess process, Path socket, Path clientConfig) {
        this.process = process;
        this.socket = socket;
        this.clientConfig = clientConfig;
    }

    /** Starts dockerd with an empty {@code daemon.json}, or skips the calling test. */
    public static Dockerd start(Containerd containerd) {
        return start(containerd, List.of());
    }

    /**
     * Starts dockerd with {@code registryMirrors} (URLs; Docker asks them first for Docker Hub
     * images), or skips the calling test when dockerd cannot start here.
     */
    public static Dockerd start(Containerd containerd, List<String> registryMirrors) {
        Path dir = DaemonProcess.privateDir("dockerd");
        Path socket = dir.resolve("docker.sock");
        Path daemonJson = dir.resolve("daemon.json");
        Path clientConfig = dir.resolve("client");
        try {
            ObjectNode config = JSON.createObjectNode();
            if (!registryMirrors.isEmpty()) {
                registryMirrors.forEach(config.putArray("registry-mirrors")::add);
            }
            Files.write(daemonJson, JSON.writeValueAsBytes(config));
            Files.createDirectories(clientConfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DaemonProcess process = DaemonProcess.start("dockerd", dir, List.of("dockerd",
                        "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                        "--storage-driver=vfs",
                        "--data-root", dir.resolve("data").toString(),
                        "--exec-root", dir.resolve("exec").toString(),
                        "--pidfile", dir.resolve("dockerd.pid").toString(),
                        "-H", "unix://" + socket,
                        "--containerd", containerd.socket().toString(),
                        "--config-file", daemonJson.toString()),
                () -> answersVersion(socket, clientConfig), START_TIMEOUT);
        return new Dockerd(process, socket, clientConfig);
    }

    /** {@code docker pull reference}; returns what the client printed, fails with it. */
    public String pull(String reference) {
        return docker(PULL_TIMEOUT, null, "pull", reference);
    }

    /** {@code docker login registry} with the password on standard input. */
    public String login(String registry, String username, String password) {
        return docker(CLIENT_TIMEOUT, password, "login", "--username", username, "--password-stdin", registry);
    }

    /** {@code docker logout registry}. */
    public String logout(String registry) {
        return docker(CLIENT_TIMEOUT, null, "logout", registry);
    }

    /** {@code docker rmi reference}: the next pull fetches the image again. */
    public void removeImage(String reference) {
        docker(CLIENT_TIMEOUT, null, "rmi", reference);
    }

    /** The image's repository digests ({@code name@sha256:...}) from {@code docker image inspect}. */
    public List<String> repoDigests(String reference) {
        String json = docker(CLIENT_TIMEOUT, null, "image", "inspect", "--format", "{{json .RepoDigests}}", reference);
        try {
            List<String> digests = new ArrayList<>();
            JSON.readTree(json).forEach(node -> digests.add(node.asText()));
            return digests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the daemon trust {@code caCertificate} for the registry at {@code hostPort} (an HTTPS
     * registry with a private CA): writes {@code /etc/docker/certs.d/<hostPort>/ca.crt}, which
     * dockerd reads on each pull, and removes it in {@link #close()}.
     */
    public void trustCertificateAuthority(String hostPort, Path caCertificate) {
        try {
            Path dir = Files.createDirectories(CERTS_D.resolve(hostPort));
            Files.copy(caCertificate, dir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
            trusted.add(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The daemon's last log lines, for failure messages. */
    public String logTail() {
        return process.logTail(40);
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            trusted.forEach(DaemonProcess::deleteTree);
        }
    }

    @Override
    public String toString() {
        return "Dockerd[" + process + "]";
    }

    private String docker(Duration timeout, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(
                dockerClient(), "--config", clientConfig.toString(), "-H", "unix://" + socket));
        command.addAll(List.of(args));
        return ClientCommand.run(timeout, stdin, command);
    }

    /** The daemon is up when its socket is there and {@code docker version} reaches it. */
    private static boolean answersVersion(Path socket, Path clientConfig) {
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            ClientCommand.run(Duration.ofSeconds(10), null, List.of(dockerClient(), "--config", clientConfig.toString(),
                    "-H", "unix://" + socket, "version", "--format", "{{.Server.Version}}"));
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static String dockerClient() {
        return DaemonProcess.executable("docker").map(Path::toString).orElse("docker");
    }
}
