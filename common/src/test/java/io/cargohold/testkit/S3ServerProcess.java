package io.cargohold.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An {@link S3Server} on disk in a child JVM (the test classpath), so a test can take storage away
 * as an outage would: {@link #stop()} it (connections refused), {@link #freeze()} it with
 * {@code SIGSTOP} (connections accepted, never answered, as across a network partition),
 * {@link #thaw()} it, or {@link #start()} it again on the same port and directory. Needs {@code setsid}
 * and {@code kill} (Linux).
 */
public final class S3ServerProcess implements AutoCloseable {

    private static final String READY = "s3 listening on ";

    private final Path directory;
    private final int port;
    private Process process;

    private S3ServerProcess(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** Starts a server keeping its objects under {@code directory}, on a free port. */
    public static S3ServerProcess onDisk(Path directory) {
        S3ServerProcess server = new S3ServerProcess(directory, freePort());
        server.start();
        return server;
    }

    /** Runs the server in this JVM until it is killed: {@code S3ServerProcess <directory> <port>}. */
    public static void main(String[] args) throws InterruptedException {
        S3Server server = S3Server.onDisk(Path.of(args[0]), Integer.parseInt(args[1]));
        System.out.println(READY + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Starts the child (again), waiting until it listens. */
    public void start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            // A session of its own: a stopped process in the test's process group would get that group
            // hung up (SIGHUP, the kernel's rule for orphaned groups), Maven and the test with it.
            process = new ProcessBuilder(List.of("setsid", java, "-cp", System.getProperty("java.class.path"),
                    S3ServerProcess.class.getName(), directory.toAbsolutePath().toString(), String.valueOf(port)))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Void> listening = new CompletableFuture<>();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        // Reads to the end, so the child never blocks on a full pipe.
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = stdout.readLine()) != null; ) {
                    if (line.startsWith(READY)) {
                        listening.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
            listening.completeExceptionally(new IllegalStateException("S3 server process ended before listening"));
        }, "s3-server-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("S3 server process did not start", e);
        }
    }

    /** Kills the child: connections to its port are refused until {@link #start()}. */
    public void stop() {
        thaw();   // a stopped process does not act on SIGTERM before it continues
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code kill -STOP}: the port still accepts connections, but nothing answers. */
    public void freeze() {
        signal("-STOP");
    }

    /** {@code kill -CONT}: the server answers again, as if nothing happened. */
    public void thaw() {
        if (process != null && process.isAlive()) {
            signal("-CONT");
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (process != null) {
            stop();
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
