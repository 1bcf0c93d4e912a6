package io.cargohold.gate;

import java.util.List;
import java.util.Optional;

/**
 * A rule's {@code allow} and {@code deny} lists, compiled once, asked on every pull. A name inside
 * {@code deny}, or outside a non-empty {@code allow}, is refused. A pull by tag is matched against
 * whole patterns. A pull by digest (a manifest or a blob) names no tag, so it is matched against
 * the repository: it is allowed when the repository part of any allow pattern matches (a client
 * pulling an allowed tag of a multi-platform image then pulls its platform manifests and blobs by
 * digest), and denied only by deny patterns without a tag (a tag-qualified deny pattern limits
 * tags, not the repository's content by digest).
 */
public final class AccessList {

    private final String rule;
    private final List<ImagePattern> allow;
    private final List<ImagePattern> deny;

    private AccessList(String rule, List<ImagePattern> allow, List<ImagePattern> deny) {
        this.rule = rule;
        this.allow = allow;
        this.deny = deny;
    }

    /**
     * The lists of the rule named {@code rule} (its prefix); null or empty {@code allow} allows every
     * name. An invalid pattern fails with an {@link IllegalArgumentException} (the config validator
     * has checked them, naming the key).
     */
    public static AccessList of(String rule, List<String> allow, List<String> deny) {
        return new AccessList(rule, compile(allow), compile(deny));
    }

    private static List<ImagePattern> compile(List<String> patterns) {
        return patterns == null ? List.of() : patterns.stream().map(ImagePattern::parse).toList();
    }

    /** True when the lists refuse nothing, so a caller may skip {@link #check}. */
    public boolean allowsEverything() {
        return allow.isEmpty() && deny.isEmpty();
    }

    /**
     * Why a pull of {@code upstreamRepository} by {@code tagOrNull} (null: by digest) is refused,
     * or empty when it is not.
     */
    public Optional<Refusal> check(String upstreamRepository, String tagOrNull) {
        for (ImagePattern pattern : deny) {
            if (tagOrNull == null ? !pattern.hasTag() && pattern.matchesRepository(upstreamRepository)
                    : pattern.matches(upstreamRepository, tagOrNull)) {
                return Optional.of(new Refusal(Refusal.Kind.DENIED, rule, pattern.toString()));
            }
        }
        if (allow.isEmpty()) {
            return Optional.empty();
        }
        for (ImagePattern pattern : allow) {
            if (tagOrNull == null ? pattern.matchesRepository(upstreamRepository)
                    : pattern.matches(upstreamRepository, tagOrNull)) {
                return Optional.empty();
            }
        }
        return Optional.of(new Refusal(Refusal.Kind.NOT_ALLOWED, rule, null));
    }

    /**
     * A refused pull: which list refused it, the rule's prefix, and the deny pattern that matched
     * ({@code null} when the name is missing from the allow list).
     */
    public record Refusal(Kind kind, String rule, String pattern) {

        /** A deny pattern matched, or no allow pattern did. */
        public enum Kind { DENIED, NOT_ALLOWED }

        /** {@code denied by rule 'dockerhub' pattern 'library/bad*'} or {@code not in the allow list of rule 'dockerhub'}. */
        public String message() {
            return kind == Kind.DENIED ? "denied by rule '" + rule + "' pattern '" + pattern + "'"
                    : "not in the allow list of rule '" + rule + "'";
        }
    }
}
