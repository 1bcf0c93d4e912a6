package io.cargohold.lifecycle;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule's {@code selection}: which images it looks at ({@code tagStatus} with {@code tagPrefixList} or
 * {@code tagPatternList}) and which of those it expires ({@code countType}, {@code countUnit},
 * {@code countNumber}). An absent list is empty. Checked as part of a {@link LifecyclePolicy}.
 */
public record Selection(TagStatus tagStatus, List<String> tagPrefixList, List<String> tagPatternList,
                        CountType countType, Optional<String> countUnit, int countNumber) {

    public Selection {
        Objects.requireNonNull(tagStatus, "tagStatus");
        tagPrefixList = List.copyOf(tagPrefixList);
        tagPatternList = List.copyOf(tagPatternList);
        Objects.requireNonNull(countType, "countType");
        Objects.requireNonNull(countUnit, "countUnit");
    }

    public static Selection untagged(CountType countType, int countNumber) {
        return new Selection(TagStatus.UNTAGGED, List.of(), List.of(), countType, unitFor(countType), countNumber);
    }

    public static Selection any(CountType countType, int countNumber) {
        return new Selection(TagStatus.ANY, List.of(), List.of(), countType, unitFor(countType), countNumber);
    }

    public static Selection taggedWithPrefixes(List<String> prefixes, CountType countType, int countNumber) {
        return new Selection(TagStatus.TAGGED, prefixes, List.of(), countType, unitFor(countType), countNumber);
    }

    public static Selection taggedWithPatterns(List<String> patterns, CountType countType, int countNumber) {
        return new Selection(TagStatus.TAGGED, List.of(), patterns, countType, unitFor(countType), countNumber);
    }

    private static Optional<String> unitFor(CountType countType) {
        return countType.isAge() ? Optional.of("days") : Optional.empty();
    }

    /**
     * Whether the image meets the tagging requirements: any image for {@code any}, images without tags for
     * {@code untagged}; for {@code tagged}, images on which every listed prefix (or pattern) matches at
     * least one tag.
     */
    public boolean matches(CachedImage image) {
        return switch (tagStatus) {
            case ANY -> true;
            case UNTAGGED -> !image.tagged();
            case TAGGED -> image.tagged()
                    && tagPrefixList.stream().allMatch(prefix -> image.tags().stream().anyMatch(tag -> tag.startsWith(prefix)))
                    && tagPatternList.stream().map(TagPattern::new)
                            .allMatch(pattern -> image.tags().stream().anyMatch(pattern::matches));
        };
    }

    /** A short form for explanations, such as {@code sinceImagePulled > 90 days} or {@code imageCountMoreThan 5}. */
    public String criterion() {
        return countType.isAge()
                ? countType.value() + " > " + countNumber + " " + countUnit.orElse("days")
                : countType.value() + " " + countNumber;
    }
}
