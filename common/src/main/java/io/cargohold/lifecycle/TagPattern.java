package io.cargohold.lifecycle;

/** One entry of {@code tagPatternList}: a whole tag with {@code *} matching any run of characters, even none. */
public record TagPattern(String pattern) {

    /** ECR allows at most this many {@code *} in one pattern. */
    public static final int MAX_WILDCARDS = 4;

    public int wildcards() {
        return (int) pattern.chars().filter(c -> c == '*').count();
    }

    /** Glob matching without regular expressions: on a mismatch, the last {@code *} takes one more character. */
    public boolean matches(String tag) {
        int p = 0;
        int t = 0;
        int star = -1;
        int starTag = 0;
        while (t < tag.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                starTag = t;
            } else if (p < pattern.length() && pattern.charAt(p) == tag.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starTag;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
