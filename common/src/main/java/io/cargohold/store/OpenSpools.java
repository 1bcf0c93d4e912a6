package io.cargohold.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spool files of one store's writers still running in this process: a sweep of leftovers
 * (files a crash or a lost writer left behind) keeps them whatever their age.
 */
public final class OpenSpools {

    /** How often a running store sweeps its spool directory. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMinutes(10);
    /** How long a file no writer owns is kept: a margin for a writer of another process on the same directory. */
    public static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);

    private final Set<Path> open = ConcurrentHashMap.newKeySet();

    /** Marks {@code file} as owned by a running writer. */
    public Path opened(Path file) {
        open.add(file);
        return file;
    }

    /** The writer of {@code file} committed or cancelled. */
    public void closed(Path file) {
        open.remove(file);
    }

    /**
     * Deletes the files in {@code directory} that no running writer owns and that were last modified
     * before {@code cutoff}. Blocking; answers how many it deleted.
     */
    public int removeLeftovers(Path directory, Instant cutoff) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                try {
                    if (!open.contains(file) && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(file);
                        removed++;
                    }
                } catch (NoSuchFileException gone) {
                    // removed meanwhile
                }
            }
        }
        return removed;
    }
}
