package io.cargohold.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Golden tests: the examples of AWS's "Examples of lifecycle policies in Amazon ECR"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html), each with its
 * documented repository and outcome. The policy texts are the documented ones; where the current page uses
 * {@code tagPatternList} and the earlier page used {@code tagPrefixList}, both are run. "Pushed: n days ago"
 * is an image cached n days before {@link #NOW}.
 */
class LifecycleDocumentationExamplesTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static CachedImage image(String name, long daysAgo, String... tags) {
        return new CachedImage(name, List.of(tags), NOW.minus(Duration.ofDays(daysAgo)));
    }

    static Evaluation evaluate(String policyText, List<CachedImage> images) {
        return LifecycleEvaluator.evaluate(LifecyclePolicy.parse(policyText), images, NOW);
    }

    static String rule(int priority, String selection) {
        return """
                {
                    "rulePriority": %d,
                    "description": "Rule %d",
                    "selection": %s,
                    "action": {
                        "type": "expire"
                    }
                }""".formatted(priority, priority, selection);
    }

    static String policy(String... rules) {
        return "{\n    \"rules\": [\n" + String.join(",\n", rules) + "\n    ]\n}";
    }

    static String countMoreThan(String tagList, String tags, int count) {
        return """
                {
                    "tagStatus": "tagged",
                    "%s": [%s],
                    "countType": "imageCountMoreThan",
                    "countNumber": %d
                }""".formatted(tagList, tags, count);
    }

    // "Filtering on image age": the documented policy, without a documented repository; its stated intent is
    // to expire images "with a tag starting with prod ... that are also older than 14 days".
    @Test
    void filteringOnImageAge_prodPatternOlderThan14Days_expiresOnlyOldProdImages() {
        String text = """
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": "Expire images older than 14 days",
                            "selection": {
                                "tagStatus": "tagged",
                                "tagPatternList": ["prod*"],
                                "countType": "sinceImagePushed",
                                "countUnit": "days",
                                "countNumber": 14
                            },
                            "action": {
                                "type": "expire"
                            }
                        }
                    ]
                }""";

        Evaluation evaluation = evaluate(text, List.of(image("old-prod", 15, "prod-1"), image("new-prod", 13, "prod-2"),
                image("old-beta", 30, "beta-1"), image("old-untagged", 30)));

        assertThat(evaluation.expiredDigests()).containsExactly("old-prod");
    }

    // The earlier version of "Filtering on image age": untagged images older than 14 days.
    @Test
    void filteringOnImageAge_untaggedOlderThan14Days_expiresOnlyOldUntaggedImages() {
        String text = policy("""
                {
                    "rulePriority": 1,
                    "description": "Expire images older than 14 days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 14
                    },
                    "action": {
                        "type": "expire"
                    }
                }""");

        Evaluation evaluation = evaluate(text, List.of(image("old", 15), image("new", 14), image("old-tagged", 30, "v1")));

        assertThat(evaluation.expiredDigests()).containsExactly("old");
    }

    // "Filtering on image count": "keeps only one untagged image and expires all others".
    @Test
    void filteringOnImageCount_keepOneUntagged_expiresAllOtherUntaggedImages() {
        String text = policy("""
                {
                    "rulePriority": 1,
                    "description": "Keep only one untagged image, expire all others",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "imageCountMoreThan",
                        "countNumber": 1
                    },
                    "action": {
                        "type": "expire"
                    }
                }""");

        Evaluation evaluation = evaluate(text, List.of(image("u1", 3), image("u2", 2), image("u3", 1), image("t", 9, "v1")));

        assertThat(evaluation.expiredDigests()).containsExactlyInAnyOrder("u1", "u2");
        assertThat(evaluation.retained()).extracting(CachedImage::digest).containsExactly("t", "u3");
    }

    static final List<CachedImage> MULTIPLE_RULES_REPOSITORY = List.of(
            image("A", 10, "beta-1", "prod-1"),
            image("B", 9, "beta-2", "prod-2"),
            image("C", 8, "beta-3"));

    // "Filtering on multiple rules", Example A: "Result: Image A is expired." Rule 2 would mark A and B, but
    // A and B were seen by Rule 1 ("if Image B were expired it would violate Rule 1 and thus is skipped").
    @Test
    void filteringOnMultipleRules_exampleA_expiresImageA() {
        for (String list : List.of("tagPatternList", "tagPrefixList")) {
            String prod = list.equals("tagPatternList") ? "\"prod*\"" : "\"prod\"";
            String beta = list.equals("tagPatternList") ? "\"beta*\"" : "\"beta\"";
            String text = policy(rule(1, countMoreThan(list, prod, 1)), rule(2, countMoreThan(list, beta, 1)));

            Evaluation evaluation = evaluate(text, MULTIPLE_RULES_REPOSITORY);

            assertThat(evaluation.expiredDigests()).as(list).containsExactly("A");
            assertThat(evaluation.expiry("A").orElseThrow().rule().rulePriority()).isEqualTo(1);
            assertThat(evaluation.rule(2).orElseThrow().spared())
                    .extracting(spared -> spared.image().digest(), Spared::selectedByRulePriority)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("A", 1), org.assertj.core.groups.Tuple.tuple("B", 1));
        }
    }

    // "Filtering on multiple rules", Example B (priorities swapped): "Result: Images A and B are expired."
    @Test
    void filteringOnMultipleRules_exampleB_expiresImagesAAndB() {
        for (String list : List.of("tagPatternList", "tagPrefixList")) {
            String prod = list.equals("tagPatternList") ? "\"prod*\"" : "\"prod\"";
            String beta = list.equals("tagPatternList") ? "\"beta*\"" : "\"beta\"";
            String text = policy(rule(1, countMoreThan(list, beta, 1)), rule(2, countMoreThan(list, prod, 1)));

            Evaluation evaluation = evaluate(text, MULTIPLE_RULES_REPOSITORY);

            assertThat(evaluation.expiredDigests()).as(list).containsExactlyInAnyOrder("A", "B");
            assertThat(evaluation.rule(1).orElseThrow().expired()).hasSize(2);
            assertThat(evaluation.rule(2).orElseThrow().expired()).isEmpty();
        }
    }

    // "Filtering on multiple tags in a single rule", Example A: "images must match all listed tag patterns";
    // the rule sees C and F and expires those older than five days. "Result: Image C is expired."
    @Test
    void filteringOnMultipleTagsInASingleRule_exampleA_expiresImageC() {
        List<CachedImage> repository = List.of(
                image("A", 12, "alpha-1"),
                image("B", 11, "beta-1"),
                image("C", 10, "alpha-2", "beta-2"),
                image("D", 4, "alpha-3"),
                image("E", 3, "beta-3"),
                image("F", 2, "alpha-4", "beta-4"));
        for (String[] list : List.of(new String[] {"tagPatternList", "\"alpha*\", \"beta*\""},
                new String[] {"tagPrefixList", "\"alpha\", \"beta\""})) {
            String text = policy(rule(1, """
                    {
                        "tagStatus": "tagged",
                        "%s": [%s],
                        "countType": "sinceImagePushed",
                        "countNumber": 5,
                        "countUnit": "days"
                    }""".formatted(list[0], list[1])));

            Evaluation evaluation = evaluate(text, repository);

            assertThat(evaluation.rule(1).orElseThrow().selected()).extracting(CachedImage::digest).containsExactly("C", "F");
            assertThat(evaluation.expiredDigests()).as(list[0]).containsExactly("C");
        }
    }

    // "Filtering on multiple tags in a single rule", Example B: "tags are not exclusive"; the rule sees all
    // images and keeps one. "Result: Images A and B are expired."
    @Test
    void filteringOnMultipleTagsInASingleRule_exampleB_expiresImagesAAndB() {
        List<CachedImage> repository = List.of(
                image("A", 10, "alpha-1", "beta-1", "gamma-1"),
                image("B", 9, "alpha-2", "beta-2"),
                image("C", 8, "alpha-3", "beta-3", "gamma-2"));
        for (String[] list : List.of(new String[] {"tagPatternList", "\"alpha*\", \"beta*\""},
                new String[] {"tagPrefixList", "\"alpha\", \"beta\""})) {
            Evaluation evaluation = evaluate(policy(rule(1, countMoreThan(list[0], list[1], 1))), repository);

            assertThat(evaluation.rule(1).orElseThrow().selected()).hasSize(3);
            assertThat(evaluation.expiredDigests()).as(list[0]).containsExactlyInAnyOrder("A", "B");
        }
    }

    // "Filtering on all images", Example A: keep only the newest image of all. "Result: Images A, B, and C
    // are expired."
    @Test
    void filteringOnAllImages_exampleA_expiresImagesABAndC() {
        List<CachedImage> repository = List.of(
                image("A", 4, "alpha-1"),
                image("B", 3, "beta-1"),
                image("C", 2),
                image("D", 1, "alpha-2"));
        String text = policy(rule(1, """
                {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 1
                }"""));

        Evaluation evaluation = evaluate(text, repository);

        assertThat(evaluation.expiredDigests()).containsExactlyInAnyOrder("A", "B", "C");
        assertThat(evaluation.retained()).extracting(CachedImage::digest).containsExactly("D");
    }

    // "Filtering on all images", Example B, all rule types in one policy. Rule 1 expires A; Rule 2 sees B and
    // E and expires B (older than one day); Rule 3 sees all five but "can't mark images A, B, C, or E because
    // they were identified by higher priority rules" and expires D. "Result: Images A, B, and D are expired."
    // The page lists D and E both as "Pushed: 1 day ago"; for Rule 3 to expire D, E must be the newest, so E
    // is cached exactly one day ago (not older than one day, as Rule 2 requires) and D a minute earlier.
    @Test
    void filteringOnAllImages_exampleB_expiresImagesABAndD() {
        List<CachedImage> repository = List.of(
                image("A", 4, "alpha-1", "beta-1"),
                image("B", 3),
                image("C", 2, "alpha-2"),
                new CachedImage("D", List.of("git hash"), NOW.minus(Duration.ofDays(1)).minusSeconds(60)),
                image("E", 1));
        for (String[] list : List.of(new String[] {"tagPatternList", "\"alpha*\""},
                new String[] {"tagPrefixList", "\"alpha\""})) {
            String text = policy(
                    rule(1, countMoreThan(list[0], list[1], 1)),
                    rule(2, """
                            {
                                "tagStatus": "untagged",
                                "countType": "sinceImagePushed",
                                "countUnit": "days",
                                "countNumber": 1
                            }"""),
                    rule(3, """
                            {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": 1
                            }"""));

            Evaluation evaluation = evaluate(text, repository);

            assertThat(evaluation.rule(1).orElseThrow().expired()).extracting(e -> e.image().digest()).containsExactly("A");
            assertThat(evaluation.rule(2).orElseThrow().selected()).extracting(CachedImage::digest).containsExactly("B", "E");
            assertThat(evaluation.rule(2).orElseThrow().expired()).extracting(e -> e.image().digest()).containsExactly("B");
            assertThat(evaluation.rule(3).orElseThrow().selected()).hasSize(5);
            assertThat(evaluation.rule(3).orElseThrow().spared()).extracting(s -> s.image().digest())
                    .containsExactly("A", "B", "C");
            assertThat(evaluation.rule(3).orElseThrow().expired()).extracting(e -> e.image().digest()).containsExactly("D");
            assertThat(evaluation.expiredDigests()).as(list[0]).containsExactlyInAnyOrder("A", "B", "D");
        }
    }

    // "Filtering on last pulled time" and "Filtering on archive transition time" use ECR's archive storage
    // class (action "transition", "storageClass", "sinceImageTransitioned"), which a cache does not have: the
    // documented texts are refused, while sinceImagePulled is allowed with expire.
    @Test
    void filteringOnLastPulledTime_transitionAction_isRefusedAndExpireIsAccepted() {
        String transition = """
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": "Archive images not pulled in 90 days",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "sinceImagePulled",
                                "countUnit": "days",
                                "countNumber": 90
                            },
                            "action": {
                                "type": "transition",
                                "targetStorageClass": "archive"
                            }
                        }
                    ]
                }""";
        assertThatThrownBy(() -> LifecyclePolicy.parse(transition))
                .isInstanceOf(LifecyclePolicyException.class)
                .hasMessageContaining("object instance has properties which are not allowed by the schema: ([\"targetStorageClass\"])");

        String expire = transition.replace("\"transition\",\n                \"targetStorageClass\": \"archive\"", "\"expire\"");
        Evaluation evaluation = evaluate(expire, List.of(
                new CachedImage("stale", List.of("v1"), NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(91))),
                new CachedImage("pulled", List.of("v2"), NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(89)))));
        assertThat(evaluation.expiredDigests()).containsExactly("stale");
    }

    @Test
    void filteringOnArchiveTransitionTime_storageClass_isRefused() {
        String text = """
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": "Expire images archived for more than 365 days",
                            "selection": {
                                "tagStatus": "any",
                                "storageClass": "archive",
                                "countType": "sinceImageTransitioned",
                                "countUnit": "days",
                                "countNumber": 365
                            },
                            "action": {
                                "type": "expire"
                            }
                        }
                    ]
                }""";

        assertThatThrownBy(() -> LifecyclePolicy.parse(text))
                .isInstanceOf(LifecyclePolicyException.class)
                .hasMessageContaining("([\"storageClass\"])");
    }

    // "Lifecycle policy properties", tagPatternList: "if your images are tagged as prod, prod1, prod2, and so on,
    // you would use the tag pattern list prod* to specify all of them"; "There is a maximum limit of four
    // wildcards (*) per string. For example, ["*test*1*2*3", "test*1*2*3*"] is valid but
    // ["test*1*2*3*4*5*6"] is invalid."
    @Test
    void tagPatternList_documentedExamples_matchAndWildcardLimit() {
        Selection prod = Selection.taggedWithPatterns(List.of("prod*"), CountType.IMAGE_COUNT_MORE_THAN, 1);
        assertThat(List.of("prod", "prod1", "prod2")).allMatch(tag -> prod.matches(image("x", 1, tag)));
        assertThat(prod.matches(image("x", 1, "preprod"))).isFalse();

        new LifecyclePolicy(List.of(new LifecycleRule(1,
                Selection.taggedWithPatterns(List.of("*test*1*2*3", "test*1*2*3*"), CountType.IMAGE_COUNT_MORE_THAN, 1))));
        assertThatThrownBy(() -> new LifecyclePolicy(List.of(new LifecycleRule(1,
                Selection.taggedWithPatterns(List.of("test*1*2*3*4*5*6"), CountType.IMAGE_COUNT_MORE_THAN, 1)))))
                .isInstanceOf(LifecyclePolicyException.class)
                .hasMessageContaining("at most 4");
    }
}
