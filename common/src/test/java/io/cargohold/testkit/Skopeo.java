package io.cargohold.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the real {@code skopeo} client as a child process with a time-out ({@link ClientCommand});
 * a non-zero exit or a time-out throws {@link SkopeoException} carrying the command and what it printed.
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
        try {
            return ClientCommand.run(timeout, null, command);
        } catch (ClientCommand.ClientCommandException e) {
            throw new SkopeoException(e.getMessage());
        }
    }

    /** skopeo failed or timed out. */
    public static final class SkopeoException extends RuntimeException {
        public SkopeoException(String message) {
            super(message);
        }
    }
}
