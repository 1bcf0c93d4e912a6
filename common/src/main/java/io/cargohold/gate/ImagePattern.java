package io.cargohold.gate;

import io.cargohold.oci.RepositoryName;

import java.util.regex.Pattern;

/**
 * A pattern over {@code <upstream repository>[:<tag>]}, as written in a rule's {@code allow} and
 * {@code deny}: {@code *} matches any run of characters within one path segment, {@code **} (a
 * whole segment) any number of segments, none included ({@code library/**} matches
 * {@code library/nginx} and {@code library/a/b}, {@code **}{@code /nginx} matches {@code nginx}).
 * Without a tag it matches every tag of the repositories; with one ({@code prometheus/node-exporter:v1.*})
 * only those tags, {@code *} matching within the tag. The repository part follows the OCI
 * repository-name grammar (lower case {@code a-z 0-9 . _ -} between {@code /}), the tag part the
 * tag grammar, each with {@code *} added. Compiled once; matching is one regular expression.
 */
public final class ImagePattern {

    private static final int MAX_TAG_LENGTH = 128;
    private static final Pattern COMPONENT = Pattern.compile(RepositoryName.COMPONENT);

    private final String text;
    private final Pattern repository;
    private final Pattern tag;

    private ImagePattern(String text, Pattern repository, Pattern tag) {
        this.text = text;
        this.repository = repository;
        this.tag = tag;
    }

    /** Reads a pattern; an invalid one fails with an {@link IllegalArgumentException} saying what is wrong. */
    public static ImagePattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a pattern must not be empty");
        }
        if (text.indexOf('@') >= 0) {
            throw new IllegalArgumentException("patterns name repositories and tags, not digests ('@')");
        }
        int colon = text.indexOf(':');
        String repositoryPart = colon < 0 ? text : text.substring(0, colon);
        Pattern tag = colon < 0 ? null : tagRegex(text.substring(colon + 1));
        return new ImagePattern(text, repositoryRegex(repositoryPart), tag);
    }

    /** True when {@code upstreamRepository} pulled as {@code tag} matches: the repository, and the tag if the pattern has one. */
    public boolean matches(String upstreamRepository, String tag) {
        return repository.matcher(upstreamRepository).matches()
                && (this.tag == null || this.tag.matcher(tag).matches());
    }

    /** True when the repository part matches, whatever the tag part says. */
    public boolean matchesRepository(String upstreamRepository) {
        return repository.matcher(upstreamRepository).matches();
    }

    /** Whether the pattern limits tags ({@code repo:tag}) rather than naming whole repositories. */
    public boolean hasTag() {
        return tag != null;
    }

    /** The pattern as written. */
    @Override
    public String toString() {
        return text;
    }

    private static Pattern repositoryRegex(String part) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("the repository part before ':' is empty");
        }
        String[] segments = part.split("/", -1);
        StringBuilder regex = new StringBuilder();
        boolean slashDue = false;
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            checkSegment(segment);
            boolean last = i == segments.length - 1;
            if (segment.equals("**")) {
                if (last) {
                    regex.append(slashDue ? "(?:/[^/]+)*" : ".*");
                } else {
                    regex.append(slashDue ? "(?:/[^/]+)*/" : "(?:[^/]+/)*");
                }
                slashDue = false;
            } else {
                if (slashDue) {
                    regex.append('/');
                }
                appendGlob(regex, segment, "[^/]*");
                slashDue = true;
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static void checkSegment(String segment) {
        if (segment.isEmpty()) {
            throw new IllegalArgumentException("has an empty path segment (a leading, trailing or doubled '/')");
        }
        wildcards(segment, "a path segment");
        if (segment.contains("**") && !segment.equals("**")) {
            throw new IllegalArgumentException("'**' must be a whole path segment, as in library/** or **/nginx");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                throw new IllegalArgumentException("'" + c + "': repository names are lower case");
            }
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '*')) {
                throw new IllegalArgumentException("'" + c + "' is not allowed in a repository: use a-z 0-9 . _ - "
                        + "between '/', and '*' or '**'");
            }
        }
        if (segment.indexOf('*') < 0 && !COMPONENT.matcher(segment).matches()) {
            throw new IllegalArgumentException("'" + segment + "' is not a repository path component (letters "
                    + "and digits joined by single '.', '_', '__' or runs of '-')");
        }
    }

    private static Pattern tagRegex(String part) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("the tag after ':' is empty (leave out ':' to match every tag)");
        }
        if (part.length() > MAX_TAG_LENGTH) {
            throw new IllegalArgumentException("the tag part is longer than " + MAX_TAG_LENGTH + " characters");
        }
        wildcards(part, "a tag");
        if (part.contains("**")) {
            throw new IllegalArgumentException("'**' in a tag: tags have no path segments, use '*'");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '*')) {
                throw new IllegalArgumentException("'" + c + "' is not allowed in a tag: use A-Z a-z 0-9 . _ - and '*'");
            }
        }
        if (part.charAt(0) == '.' || part.charAt(0) == '-') {
            throw new IllegalArgumentException("a tag cannot start with '" + part.charAt(0) + "'");
        }
        StringBuilder regex = new StringBuilder();
        appendGlob(regex, part, ".*");
        return Pattern.compile(regex.toString());
    }

    private static void wildcards(String part, String where) {
        if (part.contains("***")) {
            throw new IllegalArgumentException("'***' in " + where + ": use '*' within a path segment or a tag, "
                    + "'**' across path segments");
        }
    }

    private static void appendGlob(StringBuilder regex, String glob, String star) {
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                regex.append(star);
            } else if (c == '.' || c == '-') {
                regex.append('\\').append(c);
            } else {
                regex.append(c);
            }
        }
    }
}
