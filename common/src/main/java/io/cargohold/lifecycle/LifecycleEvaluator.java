package io.cargohold.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a lifecycle policy as ECR documents it ("Lifecycle policy evaluation rules"):
 * <ul>
 *   <li>every rule selects by its tagging requirements alone, seeing every image, even those a rule of
 *   higher priority already expires, and marks the images its count criterion picks;</li>
 *   <li>rules then apply from the lowest {@code rulePriority}: a rule expires the images it marks except
 *   those a higher-priority rule selected, so an image is expired by at most one rule and never by a rule
 *   of lower priority than one whose tagging requirements it meets;</li>
 *   <li>{@code imageCountMoreThan n} marks all but the newest n selected images by cached-at;
 *   {@code sinceImagePushed} and {@code sinceImagePulled} mark images cached, or last pulled, more than
 *   {@code countNumber} days before {@code now} (an image never pulled counts from when it was cached).</li>
 * </ul>
 * Images cached at the same instant are ordered by digest, so the result does not depend on input order.
 */
public final class LifecycleEvaluator {

    /** Oldest first; ties broken by digest. */
    static final Comparator<CachedImage> CACHED_ORDER =
            Comparator.comparing(CachedImage::cachedAt).thenComparing(CachedImage::digest);

    private LifecycleEvaluator() {
    }

    public static Evaluation evaluate(LifecyclePolicy policy, Collection<CachedImage> images, Instant now) {
        List<CachedImage> ordered = images.stream().sorted(CACHED_ORDER).toList();
        Set<String> digests = new HashSet<>();
        for (CachedImage image : ordered) {
            if (!digests.add(image.digest())) {
                throw new IllegalArgumentException("image " + image.digest() + " is given twice");
            }
        }
        Map<String, Integer> selectedBy = new HashMap<>();
        Set<String> expired = new HashSet<>();
        List<RuleOutcome> outcomes = new ArrayList<>();
        for (LifecycleRule rule : policy.rules()) {
            List<CachedImage> selected = ordered.stream().filter(rule.selection()::matches).toList();
            List<Expiry> expiries = new ArrayList<>();
            List<Spared> spared = new ArrayList<>();
            marked(rule, selected, now).forEach((image, reason) -> {
                Integer earlier = selectedBy.get(image.digest());
                if (earlier == null) {
                    expiries.add(new Expiry(image, rule, reason));
                    expired.add(image.digest());
                } else {
                    spared.add(new Spared(image, earlier));
                }
            });
            selected.forEach(image -> selectedBy.putIfAbsent(image.digest(), rule.rulePriority()));
            outcomes.add(new RuleOutcome(rule, selected, expiries, spared));
        }
        List<CachedImage> retained = ordered.stream().filter(image -> !expired.contains(image.digest())).toList();
        return new Evaluation(now, outcomes, retained);
    }

    /** The selected images the rule's count criterion picks, oldest first, each with its reason. */
    private static Map<CachedImage, String> marked(LifecycleRule rule, List<CachedImage> selected, Instant now) {
        Selection selection = rule.selection();
        Map<CachedImage, String> marked = new LinkedHashMap<>();
        switch (selection.countType()) {
            case IMAGE_COUNT_MORE_THAN -> {
                int total = selected.size();
                for (int i = 0; i < total - selection.countNumber(); i++) {
                    CachedImage image = selected.get(i);
                    marked.put(image, rule.label() + ": " + ordinal(total - i) + " newest of " + total
                            + " selected images, cached " + date(image.cachedAt()));
                }
            }
            case SINCE_IMAGE_PUSHED -> selected.stream()
                    .filter(image -> olderThan(image.cachedAt(), selection.countNumber(), now))
                    .forEach(image -> marked.put(image, rule.label() + ": cached " + since(image.cachedAt(), now)));
            case SINCE_IMAGE_PULLED -> selected.stream()
                    .filter(image -> olderThan(image.lastPulledOrCachedAt(), selection.countNumber(), now))
                    .forEach(image -> marked.put(image, rule.label() + ": " + (image.lastPulledAt().isPresent()
                            ? "last pulled " + since(image.lastPulledAt().get(), now)
                            : "never pulled, cached " + since(image.cachedAt(), now))));
        }
        return marked;
    }

    private static boolean olderThan(Instant time, int days, Instant now) {
        return time.isBefore(now.minus(Duration.ofDays(days)));
    }

    private static String since(Instant time, Instant now) {
        long days = Duration.between(time, now).toDays();
        return date(time) + ", " + days + (days == 1 ? " day" : " days") + " ago";
    }

    private static String date(Instant time) {
        return LocalDate.ofInstant(time, ZoneOffset.UTC).toString();
    }

    private static String ordinal(int n) {
        String suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }
}
