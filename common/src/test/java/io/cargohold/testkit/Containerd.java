package io.cargohold.testkit;

import io.cargohold.oci.Digest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real containerd (Debian's {@code containerd} 1.6) for tests: a private configuration, root,
 * state and gRPC/ttrpc sockets under a temporary directory, the CRI plugin off (no Kubernetes
 * here); images are pulled with its own client, {@code ctr}. Stopped by PID in {@link #close()};
 * a test that starts it is skipped, saying why, when containerd cannot start on the machine.
 */
public final class Containerd implements AutoCloseable {

    public static final Duration PULL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private final DaemonProcess process;
    private final Path socket;

    /** An option of {@code ctr images pull}: global flags (before {@code images}) and pull flags. */
    public record PullOption(List<String> globalArgs, List<String> pullArgs) {

        /** Plain HTTP to registries that {@code hosts.toml} does not describe. */
        public static PullOption plainHttp() {
            return new PullOption(List.of(), List.of("--plain-http"));
        }

        /** Registry hosts from {@code dir/<registry host[:port]>/hosts.toml} (see {@link #writeHosts}). */
        public static PullOption hostsDir(Path dir) {
            return new PullOption(List.of(), List.of("--hosts-dir", dir.toString()));
        }

        /** Credentials for the registry, as {@code --user user:password}. */
        public static PullOption user(String username, String password) {
            return new PullOption(List.of(), List.of("--user", username + ":" + password));
        }

        /** A containerd namespace of its own: images pulled in another one are not there. */
        public static PullOption namespace(String namespace) {
            return new PullOption(List.of("--namespace", namespace), List.of());
        }
    }

    private Containerd(DaemonProcess process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Starts containerd, or skips the calling test when it cannot start here. */
    public static Containerd start() {
        Path dir = DaemonProcess.privateDir("containerd");
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        try {
            Files.writeString(config, "version = 2\n"
                    + "root = \"" + dir.resolve("root") + "\"\n"
                    + "state = \"" + dir.resolve("state") + "\"\n"
                    + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                    + "[grpc]\n  address = \"" + socket + "\"\n"
                    + "[ttrpc]\n  address = \"" + dir.resolve("ttrpc.sock") + "\"\n"
                    + "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" + dir.resolve("opt") + "\"\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DaemonProcess process = DaemonProcess.start("containerd", dir,
                List.of("containerd", "--config", config.toString()),
                () -> Files.exists(socket) && answersVersion(socket), START_TIMEOUT);
        return new Containerd(process, socket);
    }

    /** The gRPC socket, for {@code ctr --address} and {@code dockerd --containerd}. */
    public Path socket() {
        return socket;
    }

    /**
     * {@code ctr images pull --snapshotter native [options] reference}: fetches and unpacks the
     * image for this machine's platform; returns what ctr printed. Fails with its output.
     */
    public String pull(String reference, PullOption... options) {
        List<String> command = new ArrayList<>(List.of(ctr(), "--address", socket.toString()));
        for (PullOption option : options) {
            command.addAll(option.globalArgs());
        }
        command.addAll(List.of("images", "pull", "--snapshotter", "native"));
        for (PullOption option : options) {
            command.addAll(option.pullArgs());
        }
        command.add(reference);
        return ClientCommand.run(PULL_TIMEOUT, null, command);
    }

    /** The manifest (or index) digest of a pulled image, from {@code ctr -n namespace images ls}. */
    public Optional<Digest> imageDigest(String namespace, String reference) {
        String listing = ClientCommand.run(CLIENT_TIMEOUT, null,
                List.of(ctr(), "--address", socket.toString(), "--namespace", namespace, "images", "ls"));
        return listing.lines().map(line -> line.split("\\s+"))
                .filter(columns -> columns.length > 2 && columns[0].equals(reference))
                .map(columns -> Digest.parse(columns[2])).findFirst();
    }

    /**
     * Writes {@code hostsDir/<registryHost>/hosts.toml}: pulls of {@code registryHost} images go
     * to {@code mirrorUrl} first, then to {@code serverUrl}; {@code caFile}, when given, is the
     * CA the mirror's certificate is checked against. With {@code mirrorUrl} null the server is
     * the one host (with that CA), as for pulls by the cache's own name: containerd 1.6 rejects a
     * file without a {@code host} table, and then ignores it.
     */
    public static Path writeHosts(Path hostsDir, String registryHost, String serverUrl, String mirrorUrl,
                                  Path caFile) {
        String ca = caFile == null ? "" : "  ca = \"" + caFile + "\"\n";
        String host = mirrorUrl == null ? serverUrl : mirrorUrl;
        String toml = "server = \"" + serverUrl + "\"\n\n[host.\"" + host + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n" + ca;
        try {
            Path file = Files.createDirectories(hostsDir.resolve(registryHost)).resolve("hosts.toml");
            Files.writeString(file, toml);
            return file;
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
        process.close();
    }

    @Override
    public String toString() {
        return "Containerd[" + process + "]";
    }

    private static boolean answersVersion(Path socket) {
        try {
            ClientCommand.run(Duration.ofSeconds(5), null, List.of(ctr(), "--address", socket.toString(), "version"));
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static String ctr() {
        return DaemonProcess.executable("ctr").map(Path::toString).orElse("ctr");
    }
}
