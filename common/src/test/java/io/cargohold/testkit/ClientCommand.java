package io.cargohold.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client command ({@code ctr}, {@code docker}, {@code skopeo}) as a child process with a time-out. Its
 * output goes to temporary files, never a pipe that could fill up; a non-zero exit or a time-out
 * throws {@link ClientCommandException} carrying the command and what it printed.
 */
final class ClientCommand {

    private ClientCommand() {
    }

    /** Runs {@code command} with {@code stdin} (null for none) and returns its standard output. */
    static String run(Duration timeout, String stdin, List<String> command) {
        Path in = null;
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            in = Files.createTempFile("client", ".in");
            out = Files.createTempFile("client", ".out");
            err = Files.createTempFile("client", ".err");
            Files.writeString(in, stdin == null ? "" : stdin);
            process = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new ClientCommandException(String.join(" ", command) + " timed out after " + timeout
                        + ": " + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err));
            }
            if (process.exitValue() != 0) {
                throw new ClientCommandException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + (Files.readString(out) + Files.readString(err)).strip());
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new ClientCommandException(String.join(" ", command) + " interrupted");
        } finally {
            deleteQuietly(in);
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** A client command failed or timed out. */
    static final class ClientCommandException extends RuntimeException {
        ClientCommandException(String message) {
            super(message);
        }
    }
}
