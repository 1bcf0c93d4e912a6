package io.cargohold.lifecycle;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Policies ECR refuses, refused with ECR's wording where it is known (the schema's messages, "Only one rule
 * can select Untagged images.", "Rule for tagStatus=ANY must have the lowest priority", "Must specify
 * tagPrefixList or tagPatternList when tagStatus=TAGGED.") and naming the field.
 */
class LifecyclePolicyValidationTest {

    static final String PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: "
            + "'Lifecycle policy validation failure: ";

    static String rule(int priority, String selection) {
        return "{\"rulePriority\": " + priority + ", \"description\": \"a rule of the test policy\", \"selection\": "
                + selection + ", \"action\": {\"type\": \"expire\"}}";
    }

    static String policy(String... rules) {
        return "{\"rules\": [" + String.join(", ", rules) + "]}";
    }

    static final String ANY_COUNT = "{\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 5}";
    static final String UNTAGGED_AGE =
            "{\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 7}";

    static LifecyclePolicyException refused(String text) {
        return catchThrowableOfType(LifecyclePolicyException.class, () -> LifecyclePolicy.parse(text));
    }

    static void assertRefused(String text, String field, String reason) {
        LifecyclePolicyException e = refused(text);
        assertThat(e).as("refused: " + text).isNotNull();
        assertThat(e.ecrMessage()).isEqualTo(PREFIX + reason + "'");
        assertThat(e.field()).isEqualTo(Optional.ofNullable(field));
        assertThat(e.getMessage()).isEqualTo(field == null ? e.ecrMessage() : e.ecrMessage() + " (at " + field + ")");
    }

    @Test
    void parse_validPolicy_sortsRulesByPriority() {
        LifecyclePolicy policy = LifecyclePolicy.parse(policy(rule(10, ANY_COUNT), rule(2, UNTAGGED_AGE)));

        assertThat(policy.rules()).extracting(LifecycleRule::rulePriority).containsExactly(2, 10);
        assertThat(policy.rules().get(0).selection().countUnit()).contains("days");
        assertThat(policy.rules().get(0).description()).contains("a rule of the test policy");
    }

    @Test
    void parse_readmeExample_accepted() {
        LifecyclePolicy policy = LifecyclePolicy.parse("""
                {
                  "rules": [
                    {
                      "rulePriority": 1,
                      "description": "Keep the 5 newest release images",
                      "selection": {"tagStatus": "tagged", "tagPatternList": ["release-*"],
                                    "countType": "imageCountMoreThan", "countNumber": 5},
                      "action": {"type": "expire"}
                    },
                    {
                      "rulePriority": 2,
                      "description": "Expire whatever nobody pulled for 90 days",
                      "selection": {"tagStatus": "any", "countType": "sinceImagePulled",
                                    "countUnit": "days", "countNumber": 90},
                      "action": {"type": "expire"}
                    }
                  ]
                }""");

        assertThat(policy.rules()).extracting(LifecycleRule::label)
                .containsExactly("rule 1 (imageCountMoreThan 5)", "rule 2 (sinceImagePulled > 90 days)");
    }

    @Test
    void parse_notJson_couldNotMapPolicyString() {
        assertRefused("{\"rules\": [" + " ".repeat(100), null, "Could not map policyString into LifecyclePolicy.");
        assertRefused("[" + " ".repeat(100) + "]", null, "Could not map policyString into LifecyclePolicy.");
    }

    @Test
    void parse_textOutsideLengthLimits_apiLengthError() {
        LifecyclePolicyException shortText = refused("{\"rules\": []}");
        assertThat(shortText.ecrMessage()).isEqualTo("1 validation error detected: Value at 'lifecyclePolicyText' "
                + "failed to satisfy constraint: Member must have length greater than or equal to 100");
        LifecyclePolicyException longText = refused(policy(rule(1, ANY_COUNT)) + " ".repeat(30720));
        assertThat(longText.ecrMessage()).endsWith("Member must have length less than or equal to 30720");
        assertThat(longText.field()).contains("lifecyclePolicyText");
    }

    @Test
    void parse_missingOrUnknownProperties_schemaMessages() {
        assertRefused("{\"ruls\": []}" + " ".repeat(100), null, "object has missing required properties ([\"rules\"])");
        assertRefused(policy("{\"description\": \"no priority, no selection, no action at all here\"}") + " ".repeat(100), "rules[0]",
                "object has missing required properties ([\"action\",\"rulePriority\",\"selection\"])");
        assertRefused(policy(rule(1, "{\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1, "
                        + "\"storageClass\": \"archive\"}")), "rules[0].selection",
                "object instance has properties which are not allowed by the schema: ([\"storageClass\"])");
        assertRefused(policy(rule(1, "{\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\"}")), "rules[0].selection",
                "object has missing required properties ([\"countNumber\"])");
    }

    @Test
    void parse_wrongTypesAndEnumValues_schemaMessages() {
        assertRefused(policy(rule(1, ANY_COUNT).replace("\"rulePriority\": 1", "\"rulePriority\": \"1\"")),
                "rules[0].rulePriority", "instance type (string) does not match any allowed primitive type (allowed: [\"integer\"])");
        assertRefused(policy(rule(1, ANY_COUNT.replace("\"any\"", "\"all\""))), "rules[0].selection.tagStatus",
                "instance value (all) not found in enum :(possible values: [\"any\",\"tagged\",\"untagged\"])");
        assertRefused(policy(rule(1, ANY_COUNT.replace("imageCountMoreThan", "sinceImageTransitioned"))),
                "rules[0].selection.countType", "instance value (sinceImageTransitioned) not found in enum :(possible values: "
                        + "[\"imageCountMoreThan\",\"sinceImagePulled\",\"sinceImagePushed\"])");
        assertRefused(policy(rule(1, UNTAGGED_AGE.replace("\"days\"", "\"weeks\""))), "rules[0].selection.countUnit",
                "instance value (weeks) not found in enum :(possible values: [\"days\"])");
        assertRefused(policy(rule(1, ANY_COUNT).replace("\"expire\"", "\"delete\"")), "rules[0].action.type",
                "instance value (delete) not found in enum :(possible values: [\"expire\"])");
        assertRefused(policy(rule(1, "{\"tagStatus\": \"tagged\", \"tagPrefixList\": \"prod\", "
                        + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 1}")), "rules[0].selection.tagPrefixList",
                "instance type (string) does not match any allowed primitive type (allowed: [\"array\"])");
    }

    @Test
    void validate_countNumberOrPriorityBelowOne_numericMinimum() {
        assertRefused(policy(rule(1, ANY_COUNT.replace("\"countNumber\": 5", "\"countNumber\": 0"))),
                "rules[0].selection.countNumber", "numeric instance is lower than the required minimum (minimum: 1, found: 0)");
        assertRefused(policy(rule(0, ANY_COUNT)), "rules[0].rulePriority",
                "numeric instance is lower than the required minimum (minimum: 1, found: 0)");
    }

    @Test
    void validate_noRulesOrMoreThanFifty_arrayLength() {
        assertRefused("{\"rules\": []}" + " ".repeat(100), "rules",
                "array is too short: must have at least 1 elements but instance has 0 elements");
        String[] rules = new String[51];
        for (int i = 0; i < rules.length; i++) {
            rules[i] = rule(i + 1, "{\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"p" + i
                    + "\"], \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}");
        }
        assertRefused(policy(rules), "rules", "array is too long: must have at most 50 elements but instance has 51 elements");
    }

    @Test
    void validate_taggedWithoutTagList_mustSpecifyTagPrefixListOrTagPatternList() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"tagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}")),
                "rules[0].selection.tagStatus", "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.");
    }

    @Test
    void validate_taggedWithBothTagLists_refused() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"prod\"], \"tagPatternList\": [\"prod*\"], "
                        + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 1}")), "rules[0].selection.tagPatternList",
                "Cannot specify both tagPrefixList and tagPatternList in one rule.");
    }

    @Test
    void validate_untaggedOrAnyWithTagList_refused() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"untagged\", \"tagPrefixList\": [\"prod\"], "
                        + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 1}")), "rules[0].selection.tagPrefixList",
                "tagPrefixList and tagPatternList can only be used when tagStatus=TAGGED, not tagStatus=UNTAGGED.");
        assertRefused(policy(rule(1, "{\"tagStatus\": \"any\", \"tagPatternList\": [\"*\"], "
                        + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 1}")), "rules[0].selection.tagPatternList",
                "tagPrefixList and tagPatternList can only be used when tagStatus=TAGGED, not tagStatus=ANY.");
    }

    @Test
    void validate_countUnitWithImageCount_refused() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countUnit\": \"days\", "
                        + "\"countNumber\": 1}")), "rules[0].selection.countUnit",
                "countUnit can only be used when countType is sinceImagePushed or sinceImagePulled, not imageCountMoreThan.");
    }

    @Test
    void validate_ageWithoutCountUnit_refused() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"any\", \"countType\": \"sinceImagePulled\", \"countNumber\": 90}")),
                "rules[0].selection.countUnit", "countUnit is required when countType=sinceImagePulled.");
    }

    @Test
    void validate_duplicatePriority_refused() {
        assertRefused(policy(rule(1, UNTAGGED_AGE), rule(1, ANY_COUNT)), "rules[1].rulePriority",
                "rulePriority 1 is used by rules[0] too; each rule needs a unique rulePriority.");
    }

    @Test
    void validate_twoUntaggedRules_onlyOneRuleCanSelectUntaggedImages() {
        assertRefused(policy(rule(1, UNTAGGED_AGE), rule(2, UNTAGGED_AGE.replace("7", "8")), rule(3, ANY_COUNT)),
                "rules[1].selection.tagStatus", "Only one rule can select Untagged images.");
    }

    @Test
    void validate_anyRuleNotLast_mustHaveTheLowestPriority() {
        assertRefused(policy(rule(1, ANY_COUNT), rule(2, UNTAGGED_AGE)), "rules[0].rulePriority",
                "Rule for tagStatus=ANY must have the lowest priority");
        assertRefused(policy(rule(5, ANY_COUNT), rule(6, ANY_COUNT.replace("5", "6"))), "rules[0].rulePriority",
                "Rule for tagStatus=ANY must have the lowest priority");
    }

    @Test
    void validate_sameTagPrefixesInTwoRules_refused() {
        String prodBeta = "{\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"prod\", \"beta\"], \"countType\": "
                + "\"imageCountMoreThan\", \"countNumber\": 1}";
        String betaProd = prodBeta.replace("[\"prod\", \"beta\"]", "[\"beta\", \"prod\"]");
        assertRefused(policy(rule(1, prodBeta), rule(2, betaProd)), "rules[1].selection.tagPrefixList",
                "rules[0] has the same tagPrefixList; the set of rules must contain a unique set of tag prefixes.");
    }

    @Test
    void validate_emptyPrefixOrPattern_refused() {
        assertRefused(policy(rule(1, "{\"tagStatus\": \"tagged\", \"tagPatternList\": [\"\"], \"countType\": "
                        + "\"imageCountMoreThan\", \"countNumber\": 1}")), "rules[0].selection.tagPatternList[0]",
                "string \"\" is too short (length: 0, required minimum: 1)");
    }

    @Test
    void constructor_invalidRules_refusedLikeParse() {
        LifecyclePolicyException e = catchThrowableOfType(LifecyclePolicyException.class, () -> new LifecyclePolicy(List.of(
                new LifecycleRule(1, Selection.any(CountType.SINCE_IMAGE_PUSHED, 30)),
                new LifecycleRule(2, Selection.untagged(CountType.IMAGE_COUNT_MORE_THAN, 1)))));

        assertThat(e.ecrMessage()).isEqualTo(PREFIX + "Rule for tagStatus=ANY must have the lowest priority'");
    }
}
