package io.cargohold.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code skopeo} client as a child process with a time-out. Standard output and
 * error go to temporary files (never a pipe that could fill up); a non-zero exit or a time-out
 * throws {@link SkopeoException} carrying the command and its standard error.
 */
public final class Skopeo {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private Skopeo() {
    }

    /** {@code skopeo copy [extraArgs] src dest}; e.g. extra args {@code --dest-tls-verify=false}, {@code --all}. */
    public static String copy(String src, String dest, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("copy"));
        args.addAll(Arrays.asList(extraArgs));
        args.add(src);
        args.add(dest);
        return run(DEFAULT_TIMEOUT, args);
    }

    /** {@code skopeo inspect [args] ref}; returns its standard output (JSON). */
    public static String inspect(String ref, String... args) {
        List<String> all = new ArrayList<>(List.of("inspect"));
        all.addAll(Arrays.asList(args));
        all.add(ref);
        return run(DEFAULT_TIMEOUT, all);
    }

    /**
     * Runs {@code skopeo --insecure-policy <args>} and returns its standard output; the process
     * is killed when it outlives {@code timeout}.
     */
    public static String run(Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        command.addAll(args);
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            out = Files.createTempFile("skopeo", ".out");
            err = Files.createTempFile("skopeo", ".err");
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new SkopeoException(String.join(" ", command) + " timed out after " + timeout
                        + ": " + Files.readString(err));
            }
            if (process.exitValue() != 0) {
                throw new SkopeoException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ": " + Files.readString(err).strip());
            }
            return Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new SkopeoException(String.join(" ", command) + " interrupted");
        } finally {
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

    /** skopeo failed or timed out. */
    public static final class SkopeoException extends RuntimeException {
        public SkopeoException(String message) {
            super(message);
        }
    }
}
