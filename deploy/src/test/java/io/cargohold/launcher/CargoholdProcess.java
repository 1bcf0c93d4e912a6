package io.cargohold.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The assembled {@code cargohold.jar} run as a child process, the way operators run it. */
final class CargoholdProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "cargohold.jar");

    private final Process process;
    private final Path log;
    private final int port;

    private CargoholdProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code standalone} with {@code configYaml}, whose {@code http.port} is {@code port}. */
    static CargoholdProcess standalone(Path dir, int port, String configYaml, String... jvmArgs) throws IOException {
        return start(dir, "standalone", "cargohold", port, configYaml, jvmArgs);
    }

    /**
     * Starts a role with {@code configYaml} (whose {@code http.port} is {@code port}), its config and
     * log named after {@code name} in {@code dir}, and waits for its start-up line.
     */
    static CargoholdProcess start(Path dir, String role, String name, int port, String configYaml, String... jvmArgs)
            throws IOException {
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, configYaml);
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString(), role, "--config", config.toString()));
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(log.toFile()).start();
        CargoholdProcess started = new CargoholdProcess(process, log, port);
        started.awaitStartupLine();
        return started;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitStartupLine() {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            // Generous: several JVMs may start at once on a loaded 2-core machine.
            String first = line.get(180, TimeUnit.SECONDS);
            if (first == null || !first.contains(" started:")) {
                throw new IllegalStateException("cargohold did not start: " + first + "\n" + log());
            }
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cargohold did not start\n" + log(), e);
        }
    }

    /** {@code 127.0.0.1:PORT}, as skopeo references want it. */
    String hostPort() {
        return "127.0.0.1:" + port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * The last {@code max} warning and error lines of the log with the lines that follow each (a
     * stack trace's first frames): what a failing test shows of a child process.
     */
    String problems(int max) {
        List<String> lines = log().lines().toList();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(" WARN ") || lines.get(i).contains(" ERROR ")) {
                problems.add(String.join("\n", lines.subList(i, Math.min(lines.size(), i + 4))));
            }
        }
        return String.join("\n", problems.subList(Math.max(0, problems.size() - max), problems.size()));
    }

    /** Ends the process at once, as a crash would: no shutdown hook, no goodbye to the cluster. */
    void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
