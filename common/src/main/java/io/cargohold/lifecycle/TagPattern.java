package io.cargohold.lifecycle;

import java.util.regex.Pattern;

/** One entry of {@code tagPatternList}: a whole tag with {@code *} matching any run of characters, even none. */
public record TagPattern(String pattern) {

    /** ECR allows at most this many {@code *} in one pattern. */
    public static final int MAX_WILDCARDS = 4;

    public int wildcards() {
        return (int) pattern.chars().filter(c -> c == '*').count();
    }

    public boolean matches(String tag) {
        return toRegex().matcher(tag).matches();
    }

    private Pattern toRegex() {
        String[] literals = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!literals[i].isEmpty()) {
                regex.append(Pattern.quote(literals[i]));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
