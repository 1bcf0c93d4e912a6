package io.cargohold.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Properties of the evaluation rules over random repositories and random valid policies, each repetition
 * seeded by its number (a failure names its seed). The oracle restates ECR's rules independently of the
 * evaluator: an image is expired exactly when the first rule, by priority, whose tagging requirements it
 * meets also marks it by its count criterion.
 */
class LifecyclePropertiesTest {

    static final int REPETITIONS = 300;
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final List<String> TAGS = List.of("prod-1", "prod-2", "prod-eu", "beta-1", "beta-2", "alpha-1", "latest",
            "v1.0", "v1.1", "v2.0", "dev-7", "git hash");
    static final List<String> PREFIXES = List.of("prod", "beta", "alpha", "v1", "v", "dev", "latest", "git");
    static final List<String> PATTERNS = List.of("prod*", "*-1", "beta-*", "v*.*", "*", "latest", "*e*", "v1.?", "*a*h*");

    record Case(long seed, LifecyclePolicy policy, List<CachedImage> images) {
    }

    static Case generate(RepetitionInfo repetition) {
        return generate(repetition.getCurrentRepetition());
    }

    static Case generate(int repetition) {
        long seed = 0x5EEDL * 31 + repetition;
        SplittableRandom random = new SplittableRandom(seed);
        return new Case(seed, new LifecyclePolicy(validRules(random)), images(random));
    }

    static List<CachedImage> images(SplittableRandom random) {
        int count = random.nextInt(0, 26);
        List<CachedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Whole days, often shared, so that equal cached-at instants and day boundaries come up.
            Duration age = Duration.ofDays(random.nextInt(0, 60));
            if (random.nextBoolean()) {
                age = age.plusSeconds(random.nextInt(0, 86_400));
            }
            Instant cachedAt = NOW.minus(age);
            Optional<Instant> lastPulledAt = random.nextBoolean()
                    ? Optional.empty()
                    : Optional.of(cachedAt.plusSeconds(random.nextLong(0, age.getSeconds() + 1)));
            List<String> tags = pick(random, TAGS, random.nextInt(0, 4));
            images.add(new CachedImage("sha256:" + Integer.toHexString(random.nextInt()) + "-" + i, tags, cachedAt, lastPulledAt));
        }
        return images;
    }

    static List<LifecycleRule> validRules(SplittableRandom random) {
        int count = random.nextInt(1, 7);
        List<Integer> priorities = IntStream.rangeClosed(1, 100).boxed().collect(Collectors.toCollection(ArrayList::new));
        Collections.shuffle(priorities, new Random(random.nextLong()));
        priorities = priorities.subList(0, count).stream().sorted().toList();
        boolean untaggedUsed = false;
        Set<Set<String>> tagSets = new HashSet<>();
        List<LifecycleRule> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean last = i == count - 1;
            CountType countType = CountType.values()[random.nextInt(CountType.values().length)];
            int number = countType.isAge() ? random.nextInt(1, 60) : random.nextInt(1, 6);
            Selection selection;
            if (last && random.nextInt(10) < 4) {
                selection = Selection.any(countType, number);
            } else if (!untaggedUsed && random.nextInt(10) < 3) {
                untaggedUsed = true;
                selection = Selection.untagged(countType, number);
            } else {
                boolean patterns = random.nextBoolean();
                List<String> tags;
                do {
                    tags = pick(random, patterns ? PATTERNS : PREFIXES, random.nextInt(1, 3));
                } while (!tagSets.add(Set.copyOf(tags)));
                selection = patterns
                        ? Selection.taggedWithPatterns(tags, countType, number)
                        : Selection.taggedWithPrefixes(tags, countType, number);
            }
            rules.add(new LifecycleRule(priorities.get(i), selection));
        }
        Collections.shuffle(rules, new Random(random.nextLong()));
        return rules;
    }

    static <T> List<T> pick(SplittableRandom random, List<T> from, int n) {
        List<T> copy = new ArrayList<>(from);
        Collections.shuffle(copy, new Random(random.nextLong()));
        return List.copyOf(copy.subList(0, n));
    }

    /** The first rule, by priority, whose tagging requirements the image meets. */
    static Optional<LifecycleRule> firstSelecting(LifecyclePolicy policy, CachedImage image) {
        return policy.rules().stream().filter(rule -> rule.selection().matches(image)).findFirst();
    }

    /** Whether the rule's count criterion marks the image, stated without the evaluator's ordering code. */
    static boolean marks(LifecycleRule rule, CachedImage image, List<CachedImage> images) {
        Selection selection = rule.selection();
        return switch (selection.countType()) {
            case IMAGE_COUNT_MORE_THAN -> images.stream()
                    .filter(selection::matches)
                    .filter(other -> other.cachedAt().isAfter(image.cachedAt())
                            || other.cachedAt().equals(image.cachedAt()) && other.digest().compareTo(image.digest()) > 0)
                    .count() >= selection.countNumber();
            case SINCE_IMAGE_PUSHED -> Duration.between(image.cachedAt(), NOW).compareTo(Duration.ofDays(selection.countNumber())) > 0;
            case SINCE_IMAGE_PULLED ->
                    Duration.between(image.lastPulledOrCachedAt(), NOW).compareTo(Duration.ofDays(selection.countNumber())) > 0;
        };
    }

    @Test
    void generator_coversTheCasesThePropertiesAreAbout() {
        int spared = 0;
        int byCount = 0;
        int byPushed = 0;
        int byPulled = 0;
        int retained = 0;
        int withAny = 0;
        for (int i = 1; i <= REPETITIONS; i++) {
            Case c = generate(i);
            Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);
            spared += evaluation.rules().stream().mapToInt(outcome -> outcome.spared().size()).sum();
            for (Expiry expiry : evaluation.expired()) {
                switch (expiry.rule().selection().countType()) {
                    case IMAGE_COUNT_MORE_THAN -> byCount++;
                    case SINCE_IMAGE_PUSHED -> byPushed++;
                    case SINCE_IMAGE_PULLED -> byPulled++;
                }
            }
            retained += evaluation.retained().size();
            withAny += c.policy().rules().stream().anyMatch(rule -> rule.selection().tagStatus() == TagStatus.ANY) ? 1 : 0;
        }

        assertThat(List.of(spared, byCount, byPushed, byPulled, retained)).allMatch(n -> n > 100);
        assertThat(withAny).isGreaterThan(REPETITIONS / 5);
    }

    @RepeatedTest(REPETITIONS)
    void evaluate_everyImage_isExpiredByAtMostOneRuleOrRetained(RepetitionInfo repetition) {
        Case c = generate(repetition);
        Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);

        List<String> expiredPerRule = evaluation.rules().stream()
                .flatMap(outcome -> outcome.expired().stream()).map(expiry -> expiry.image().digest()).toList();
        assertThat(expiredPerRule).as("seed %d", c.seed()).doesNotHaveDuplicates();
        Set<String> all = c.images().stream().map(CachedImage::digest).collect(Collectors.toSet());
        Set<String> retained = evaluation.retained().stream().map(CachedImage::digest).collect(Collectors.toSet());
        assertThat(Collections.disjoint(retained, evaluation.expiredDigests())).as("seed %d", c.seed()).isTrue();
        Set<String> union = new HashSet<>(retained);
        union.addAll(evaluation.expiredDigests());
        assertThat(union).as("seed %d", c.seed()).isEqualTo(all);
    }

    @RepeatedTest(REPETITIONS)
    void evaluate_anImage_isExpiredExactlyWhenTheFirstRuleSelectingItMarksIt(RepetitionInfo repetition) {
        Case c = generate(repetition);
        Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);

        for (CachedImage image : c.images()) {
            Optional<LifecycleRule> first = firstSelecting(c.policy(), image);
            Optional<Expiry> expiry = evaluation.expiry(image.digest());
            if (first.isPresent() && marks(first.get(), image, c.images())) {
                assertThat(expiry).as("seed %d, image %s", c.seed(), image).isPresent();
                assertThat(expiry.get().rule()).as("seed %d, image %s", c.seed(), image).isEqualTo(first.get());
            } else {
                assertThat(expiry).as("seed %d, image %s", c.seed(), image).isEmpty();
            }
        }
    }

    @RepeatedTest(REPETITIONS)
    void evaluate_expiringRule_isNeverLowerThanARuleThatSelectedTheImage(RepetitionInfo repetition) {
        Case c = generate(repetition);
        Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);

        for (Expiry expiry : evaluation.expired()) {
            assertThat(expiry.rule().selection().matches(expiry.image())).as("seed %d", c.seed()).isTrue();
            assertThat(c.policy().rules())
                    .filteredOn(rule -> rule.rulePriority() < expiry.rule().rulePriority())
                    .as("seed %d: rules above %s selecting %s", c.seed(), expiry.rule().label(), expiry.image().digest())
                    .noneMatch(rule -> rule.selection().matches(expiry.image()));
        }
    }

    @RepeatedTest(REPETITIONS)
    void evaluate_imageCountMoreThanN_neverExpiresTheNewestNOfItsSelection(RepetitionInfo repetition) {
        Case c = generate(repetition);
        Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);

        for (RuleOutcome outcome : evaluation.rules()) {
            Selection selection = outcome.rule().selection();
            if (selection.countType() != CountType.IMAGE_COUNT_MORE_THAN) {
                continue;
            }
            int n = selection.countNumber();
            List<CachedImage> newestFirst = new ArrayList<>(outcome.selected());
            Collections.reverse(newestFirst);
            List<CachedImage> newestN = newestFirst.subList(0, Math.min(n, newestFirst.size()));
            List<CachedImage> expiredByRule = outcome.expired().stream().map(Expiry::image).toList();
            assertThat(Collections.disjoint(expiredByRule, newestN)).as("seed %d, %s", c.seed(), outcome.rule().label()).isTrue();
            assertThat(outcome.selected().size() - expiredByRule.size())
                    .as("seed %d, %s", c.seed(), outcome.rule().label())
                    .isGreaterThanOrEqualTo(Math.min(n, outcome.selected().size()));
            if (c.policy().rules().size() == 1) {
                assertThat(evaluation.retained()).hasSizeGreaterThanOrEqualTo(Math.min(n, outcome.selected().size()));
            }
        }
    }

    @RepeatedTest(REPETITIONS)
    void evaluate_shuffledImages_giveTheSameEvaluation(RepetitionInfo repetition) {
        Case c = generate(repetition);
        List<CachedImage> shuffled = new ArrayList<>(c.images());
        Collections.shuffle(shuffled, new Random(c.seed()));

        Evaluation evaluation = LifecycleEvaluator.evaluate(c.policy(), c.images(), NOW);
        Evaluation again = LifecycleEvaluator.evaluate(c.policy(), shuffled, NOW);

        assertThat(again).as("seed %d", c.seed()).isEqualTo(evaluation);
    }

    @RepeatedTest(REPETITIONS)
    void policyText_writtenAndParsed_isTheSamePolicy(RepetitionInfo repetition) {
        Case c = generate(repetition);

        assertThat(LifecyclePolicy.parse(text(c.policy().rules()))).as("seed %d", c.seed()).isEqualTo(c.policy());
    }

    @RepeatedTest(REPETITIONS)
    void tagPattern_matches_likeTheEquivalentRegularExpression(RepetitionInfo repetition) {
        SplittableRandom random = new SplittableRandom(repetition.getCurrentRepetition());
        String pattern = randomString(random, "ab.-*", random.nextInt(0, 7));
        String regex = java.util.Arrays.stream(pattern.split("\\*", -1))
                .map(literal -> literal.isEmpty() ? "" : java.util.regex.Pattern.quote(literal))
                .collect(Collectors.joining(".*"));
        for (int i = 0; i < 50; i++) {
            String tag = randomString(random, "ab.-", random.nextInt(0, 8));
            assertThat(new TagPattern(pattern).matches(tag)).as("%s ~ %s", pattern, tag).isEqualTo(tag.matches(regex));
        }
    }

    static String randomString(SplittableRandom random, String alphabet, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Ways to break a valid policy; each must be refused, so that no evaluation can ever see it. */
    static final List<UnaryOperator<List<LifecycleRule>>> BREAKAGES = List.of(
            rules -> with(rules, new LifecycleRule(rules.get(0).rulePriority(), tagged(List.of("zz-duplicate-priority")))),
            rules -> with(with(rules, new LifecycleRule(1001, Selection.untagged(CountType.IMAGE_COUNT_MORE_THAN, 1))),
                    new LifecycleRule(1002, Selection.untagged(CountType.SINCE_IMAGE_PUSHED, 1))),
            rules -> with(rules, new LifecycleRule(0, Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1))),
            rules -> with(rules, new LifecycleRule(1003, new Selection(TagStatus.TAGGED, List.of(), List.of(),
                    CountType.IMAGE_COUNT_MORE_THAN, Optional.empty(), 1))),
            rules -> with(rules, new LifecycleRule(1004, new Selection(TagStatus.TAGGED, List.of("zz"), List.of("zz*"),
                    CountType.IMAGE_COUNT_MORE_THAN, Optional.empty(), 1))),
            rules -> with(rules, new LifecycleRule(1005, new Selection(TagStatus.TAGGED, List.of("zz"), List.of(),
                    CountType.IMAGE_COUNT_MORE_THAN, Optional.of("days"), 1))),
            rules -> with(rules, new LifecycleRule(1006, new Selection(TagStatus.TAGGED, List.of("zz"), List.of(),
                    CountType.SINCE_IMAGE_PULLED, Optional.empty(), 1))),
            rules -> with(rules, new LifecycleRule(1007, new Selection(TagStatus.TAGGED, List.of(), List.of("a*b*c*d*e*f"),
                    CountType.IMAGE_COUNT_MORE_THAN, Optional.empty(), 1))),
            rules -> with(rules, new LifecycleRule(1008, new Selection(TagStatus.TAGGED, List.of("zz"), List.of(),
                    CountType.IMAGE_COUNT_MORE_THAN, Optional.empty(), 0))),
            rules -> with(rules.stream().map(rule -> new LifecycleRule(rule.rulePriority() + 1000, rule.selection())).toList(),
                    new LifecycleRule(1, Selection.any(CountType.SINCE_IMAGE_PUSHED, 3))),
            rules -> IntStream.range(0, 51 - rules.size() + 1).boxed()
                    .reduce(rules, (acc, i) -> with(acc, new LifecycleRule(2000 + i, tagged(List.of("zz" + i)))), (a, b) -> a));

    static Selection tagged(List<String> prefixes) {
        return Selection.taggedWithPrefixes(prefixes, CountType.IMAGE_COUNT_MORE_THAN, 1);
    }

    static List<LifecycleRule> with(List<LifecycleRule> rules, LifecycleRule rule) {
        List<LifecycleRule> more = new ArrayList<>(rules);
        more.add(rule);
        return more;
    }

    @RepeatedTest(REPETITIONS)
    void brokenPolicy_isRefusedByConstructionAndByParse_soItIsNeverEvaluated(RepetitionInfo repetition) {
        Case c = generate(repetition);
        UnaryOperator<List<LifecycleRule>> breakage = BREAKAGES.get(repetition.getCurrentRepetition() % BREAKAGES.size());
        List<LifecycleRule> broken = breakage.apply(c.policy().rules());

        LifecyclePolicyException built = catchThrowableOfType(LifecyclePolicyException.class, () -> new LifecyclePolicy(broken));
        LifecyclePolicyException parsed = catchThrowableOfType(LifecyclePolicyException.class, () -> LifecyclePolicy.parse(text(broken)));

        assertThat(built).as("seed %d, breakage %d", c.seed(), repetition.getCurrentRepetition() % BREAKAGES.size()).isNotNull();
        assertThat(parsed).as("seed %d", c.seed()).isNotNull();
        assertThat(parsed.getMessage()).isEqualTo(built.getMessage());
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** ECR policy text for the rules, in the order given. */
    static String text(List<LifecycleRule> rules) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (LifecycleRule rule : rules) {
            Selection selection = rule.selection();
            Map<String, Object> sel = new LinkedHashMap<>();
            sel.put("tagStatus", selection.tagStatus().value());
            if (!selection.tagPrefixList().isEmpty()) {
                sel.put("tagPrefixList", selection.tagPrefixList());
            }
            if (!selection.tagPatternList().isEmpty()) {
                sel.put("tagPatternList", selection.tagPatternList());
            }
            sel.put("countType", selection.countType().value());
            selection.countUnit().ifPresent(unit -> sel.put("countUnit", unit));
            sel.put("countNumber", selection.countNumber());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rulePriority", rule.rulePriority());
            rule.description().ifPresent(description -> r.put("description", description));
            r.put("selection", sel);
            r.put("action", Map.of("type", "expire"));
            json.add(r);
        }
        try {
            String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("rules", json));
            return text.length() >= 100 ? text : text + " ".repeat(100 - text.length());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
