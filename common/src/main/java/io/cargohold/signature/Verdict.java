package io.cargohold.signature;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether an image is signed by a trusted key, and why: on a pass which signature verified, on a
 * failure what was wrong ("no signatures", "signature does not verify with any trusted key", ...).
 */
public record Verdict(boolean passed, String reason) {

    public static final String NO_SIGNATURES = "no signatures";
    public static final String UNTRUSTED = "signature does not verify with any trusted key";

    public static Verdict pass(String reason) {
        return new Verdict(true, reason);
    }

    public static Verdict fail(String reason) {
        return new Verdict(false, reason);
    }

    /** Passes when one of {@code verdicts} passes; otherwise fails with their distinct reasons. */
    public static Verdict anyOf(List<Verdict> verdicts) {
        Set<String> reasons = new LinkedHashSet<>();
        for (Verdict verdict : verdicts) {
            if (verdict.passed()) {
                return verdict;
            }
            reasons.add(verdict.reason());
        }
        return reasons.isEmpty() ? fail(NO_SIGNATURES) : fail(String.join("; ", reasons));
    }
}
