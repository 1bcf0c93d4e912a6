package io.cargohold.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in configuration: a whole number of bytes, or one with a unit, binary ({@code KiB},
 * {@code MiB}, {@code GiB}, {@code TiB}) or decimal ({@code KB}, {@code MB}, {@code GB}, {@code TB}):
 * {@code 536870912}, {@code 512MiB}, {@code 20 GiB}. Units are case-sensitive so that {@code Mb}
 * (megabits) is refused rather than guessed.
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+)\\s*([A-Za-z]*)\\s*");
    private static final Map<String, Long> UNITS = Map.of(
            "", 1L, "B", 1L,
            "KiB", 1L << 10, "MiB", 1L << 20, "GiB", 1L << 30, "TiB", 1L << 40,
            "KB", 1_000L, "MB", 1_000_000L, "GB", 1_000_000_000L, "TB", 1_000_000_000_000L);

    private ByteSize() {
    }

    /** The number of bytes {@code text} names; throws IllegalArgumentException saying what is accepted. */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("size is missing: expected bytes or a number with a unit such as 512MiB or 20GiB");
        }
        Matcher matcher = SIZE.matcher(text);
        if (!matcher.matches() || !UNITS.containsKey(matcher.group(2))) {
            throw new IllegalArgumentException("'" + text + "' is not a size: expected a whole number of bytes"
                    + " or one with a unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB), such as 512MiB or 20GiB");
        }
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), UNITS.get(matcher.group(2)));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size", e);
        }
    }
}
