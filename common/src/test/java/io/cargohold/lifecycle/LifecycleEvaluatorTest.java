package io.cargohold.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LifecycleEvaluatorTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static LifecyclePolicy policy(LifecycleRule... rules) {
        return new LifecyclePolicy(List.of(rules));
    }

    static CachedImage image(String digest, Duration age, String... tags) {
        return new CachedImage(digest, List.of(tags), NOW.minus(age));
    }

    @Test
    void preview_sinceImagePulled_explainsWithLastPullDateAndAge() {
        CachedImage stale = new CachedImage("stale", List.of("v1"), Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-07-01T12:00:00Z"));
        CachedImage neverPulled = new CachedImage("never", List.of(), Instant.parse("2026-05-01T12:00:00Z"));
        CachedImage recent = new CachedImage("recent", List.of("v2"), Instant.parse("2026-01-01T00:00:00Z"),
                NOW.minus(Duration.ofDays(3)));

        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.any(CountType.SINCE_IMAGE_PULLED, 90))), List.of(stale, neverPulled, recent), NOW);

        assertThat(evaluation.expiry("stale").orElseThrow().reason())
                .isEqualTo("rule 1 (sinceImagePulled > 90 days): last pulled 2026-07-01, 145 days ago");
        assertThat(evaluation.expiry("never").orElseThrow().reason())
                .isEqualTo("rule 1 (sinceImagePulled > 90 days): never pulled, cached 2026-05-01, 206 days ago");
        assertThat(evaluation.retained()).containsExactly(recent);
    }

    @Test
    void preview_imageCountMoreThan_explainsRankAmongSelectedImages() {
        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(3, Selection.taggedWithPrefixes(List.of("release-"), CountType.IMAGE_COUNT_MORE_THAN, 1))),
                List.of(image("old", Duration.ofDays(20), "release-1"), image("mid", Duration.ofDays(10), "release-2"),
                        image("new", Duration.ofDays(1), "release-3"), image("other", Duration.ofDays(30), "dev")),
                NOW);

        assertThat(evaluation.expired()).extracting(Expiry::reason).containsExactly(
                "rule 3 (imageCountMoreThan 1): 3rd newest of 3 selected images, cached 2026-11-03",
                "rule 3 (imageCountMoreThan 1): 2nd newest of 3 selected images, cached 2026-11-13");
        assertThat(evaluation.rule(3).orElseThrow().selected()).extracting(CachedImage::digest)
                .containsExactly("old", "mid", "new");
    }

    @Test
    void keeping_pinnedImage_retainedAndListedAsPinnedNotExpired() {
        CachedImage old = image("old", Duration.ofDays(20), "1");
        CachedImage pinned = image("pinned", Duration.ofDays(10), "2");
        CachedImage newest = image("new", Duration.ofDays(1), "3");

        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1))),
                List.of(old, pinned, newest), NOW).keeping("pinned"::equals);

        assertThat(evaluation.expiredDigests()).containsExactly("old");
        assertThat(evaluation.pinned()).extracting(expiry -> expiry.image().digest()).containsExactly("pinned");
        assertThat(evaluation.pinned().get(0).rule().rulePriority()).isEqualTo(1);
        assertThat(evaluation.retained()).containsExactly(pinned, newest);
    }

    @Test
    void evaluate_sinceImagePushed_expiresOnlyImagesOlderThanTheDays() {
        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.untagged(CountType.SINCE_IMAGE_PUSHED, 14))),
                List.of(image("exactly", Duration.ofDays(14)), image("older", Duration.ofDays(14).plusSeconds(1)),
                        image("muchOlder", Duration.ofDays(40))),
                NOW);

        assertThat(evaluation.expiredDigests()).containsExactlyInAnyOrder("older", "muchOlder");
        assertThat(evaluation.expiry("older").orElseThrow().reason())
                .isEqualTo("rule 1 (sinceImagePushed > 14 days): cached 2026-11-09, 14 days ago");
    }

    @Test
    void evaluate_sinceImagePushed_ignoresPulls() {
        CachedImage oldButPulled = new CachedImage("a", List.of(), NOW.minus(Duration.ofDays(30)), NOW);

        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.untagged(CountType.SINCE_IMAGE_PUSHED, 7))), List.of(oldButPulled), NOW);

        assertThat(evaluation.expiredDigests()).containsExactly("a");
    }

    @Test
    void evaluate_ruleSelectingAnImage_protectsItFromLowerPriorityRules() {
        // The tagged rule selects "young-prod" but does not expire it (too young); the any rule, which would
        // expire everything beyond the newest image, may not.
        Evaluation evaluation = LifecycleEvaluator.evaluate(policy(
                        new LifecycleRule(1, Selection.taggedWithPatterns(List.of("prod-*"), CountType.SINCE_IMAGE_PUSHED, 30)),
                        new LifecycleRule(2, Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1))),
                List.of(image("young-prod", Duration.ofDays(5), "prod-7"), image("dev", Duration.ofDays(4), "dev-1"),
                        image("newest", Duration.ofDays(1), "dev-2")),
                NOW);

        assertThat(evaluation.expiredDigests()).containsExactly("dev");
        assertThat(evaluation.rule(2).orElseThrow().spared()).containsExactly(
                new Spared(evaluation.rule(1).orElseThrow().selected().get(0), 1));
    }

    @Test
    void evaluate_sameCachedAt_orderedByDigest() {
        Instant same = NOW.minus(Duration.ofDays(2));
        Evaluation evaluation = LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1))),
                List.of(new CachedImage("b", List.of(), same), new CachedImage("a", List.of(), same)), NOW);

        assertThat(evaluation.expiredDigests()).containsExactly("a");
    }

    @Test
    void evaluate_sameDigestTwice_refused() {
        CachedImage image = image("a", Duration.ofDays(1));

        assertThatThrownBy(() -> LifecycleEvaluator.evaluate(
                policy(new LifecycleRule(1, Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1))), List.of(image, image), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a is given twice");
    }

    @Test
    void selection_tagPrefixList_requiresEveryPrefixOnSomeTagCaseSensitively() {
        Selection selection = Selection.taggedWithPrefixes(List.of("prod", "v1"), CountType.IMAGE_COUNT_MORE_THAN, 1);

        assertThat(selection.matches(image("a", Duration.ZERO, "prod-eu", "v1.2"))).isTrue();
        assertThat(selection.matches(image("b", Duration.ZERO, "prod-eu"))).isFalse();
        assertThat(selection.matches(image("c", Duration.ZERO, "Prod", "v1"))).isFalse();
        assertThat(selection.matches(image("d", Duration.ZERO))).isFalse();
    }

    @Test
    void selection_untaggedAndAny_selectByPresenceOfTags() {
        assertThat(Selection.untagged(CountType.IMAGE_COUNT_MORE_THAN, 1).matches(image("a", Duration.ZERO))).isTrue();
        assertThat(Selection.untagged(CountType.IMAGE_COUNT_MORE_THAN, 1).matches(image("a", Duration.ZERO, "x"))).isFalse();
        assertThat(Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1).matches(image("a", Duration.ZERO))).isTrue();
        assertThat(Selection.any(CountType.IMAGE_COUNT_MORE_THAN, 1).matches(image("a", Duration.ZERO, "x"))).isTrue();
    }

    @Test
    void tagPattern_wildcards_matchWholeTagAndQuoteEverythingElse() {
        assertThat(new TagPattern("*-1").matches("beta-1")).isTrue();
        assertThat(new TagPattern("*-1").matches("beta-10")).isFalse();
        assertThat(new TagPattern("a*b*c").matches("abc")).isTrue();
        assertThat(new TagPattern("a*b*c").matches("a-x-b-y-c")).isTrue();
        assertThat(new TagPattern("v1.2*").matches("v1x2")).isFalse();
        assertThat(new TagPattern("v1.2*").matches("v1.2.3")).isTrue();
        assertThat(new TagPattern("latest").matches("latest-1")).isFalse();
        assertThat(new TagPattern("*").matches("anything")).isTrue();
        assertThat(new TagPattern("**").wildcards()).isEqualTo(2);
    }

    @Test
    void cachedImage_neverPulled_countsFromCachedAt() {
        CachedImage image = new CachedImage("a", List.of(), NOW);

        assertThat(image.lastPulledAt()).isEqualTo(Optional.empty());
        assertThat(image.lastPulledOrCachedAt()).isEqualTo(NOW);
    }
}
