package io.cargohold.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A container daemon run by a test as a child process, with its log in its private directory,
 * stopped by PID. When it cannot start on this machine (not installed, not permitted, exits at
 * once) the calling test is skipped, and the reason is printed.
 */
final class DaemonProcess implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final Path dir;
    private final Process process;
    private final Path log;

    private DaemonProcess(String name, Path dir, Process process, Path log) {
        this.name = name;
        this.dir = dir;
        this.process = process;
        this.log = log;
    }

    /** A private directory for a daemon: under /tmp, as its socket paths must stay short (108 bytes). */
    static Path privateDir(String name) {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code command} (its log {@code dir/<name>.log}) and waits until {@code ready} says
     * so; skips the test when the executable is missing, the process exits or is not ready in time.
     */
    static DaemonProcess start(String name, Path dir, List<String> command, BooleanSupplier ready, Duration timeout) {
        Optional<Path> executable = executable(command.get(0));
        if (executable.isEmpty()) {
            skip(dir, name + " is not installed (no " + command.get(0) + " on the PATH; scripts/test.sh installs it)");
        }
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, executable.get().toString());
        Path log = dir.resolve(name + ".log");
        Process process;
        try {
            process = new ProcessBuilder(resolved).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            skip(dir, name + " cannot be started here: " + e.getMessage());
            throw new IllegalStateException(e);
        }
        DaemonProcess daemon = new DaemonProcess(name, dir, process, log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            String reason = !process.isAlive() ? "exited with " + process.exitValue()
                    : System.nanoTime() > deadline ? "was not ready within " + timeout : null;
            if (reason != null) {
                String tail = daemon.logTail(20);
                daemon.close();
                skip(null, name + " cannot start on this machine: it " + reason + "\n" + tail);
            }
            sleep(100);
        }
        return daemon;
    }

    long pid() {
        return process.pid();
    }

    /** The last {@code lines} lines of the daemon's log, for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the daemon by PID (SIGTERM, then SIGKILL after 20 s) and removes its directory. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println(name + " (pid " + process.pid() + ") did not stop within " + STOP_TIMEOUT
                        + ": killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", " + dir + "]";
    }

    private static void skip(Path dir, String reason) {
        System.err.println("Skipping: " + reason);
        if (dir != null) {
            deleteTree(dir);
        }
        Assumptions.abort(reason);
    }

    /** Where {@code name} is on the PATH, or in /usr/sbin, where Debian puts dockerd. */
    static Optional<Path> executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst();
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files left behind are harmless
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a daemon", e);
        }
    }
}
