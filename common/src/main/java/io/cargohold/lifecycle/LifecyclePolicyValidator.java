package io.cargohold.lifecycle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks rules against each other and against the constraints ECR documents; the first problem becomes a
 * {@link LifecyclePolicyException} naming the field, in rule order as given.
 */
final class LifecyclePolicyValidator {

    /** ECR's quota of rules per lifecycle policy. */
    static final int MAX_RULES = 50;

    private LifecyclePolicyValidator() {
    }

    static void validate(List<LifecycleRule> rules) {
        if (rules.isEmpty()) {
            throw LifecyclePolicyException.validation("rules",
                    "array is too short: must have at least 1 elements but instance has 0 elements");
        }
        if (rules.size() > MAX_RULES) {
            throw LifecyclePolicyException.validation("rules", "array is too long: must have at most " + MAX_RULES
                    + " elements but instance has " + rules.size() + " elements");
        }
        for (int i = 0; i < rules.size(); i++) {
            rule("rules[" + i + "]", rules.get(i));
        }
        acrossRules(rules);
    }

    private static void rule(String at, LifecycleRule rule) {
        minimumOne(at + ".rulePriority", rule.rulePriority());
        Selection selection = rule.selection();
        String sel = at + ".selection";
        minimumOne(sel + ".countNumber", selection.countNumber());
        boolean prefixes = !selection.tagPrefixList().isEmpty();
        boolean patterns = !selection.tagPatternList().isEmpty();
        switch (selection.tagStatus()) {
            case TAGGED -> {
                if (!prefixes && !patterns) {
                    throw LifecyclePolicyException.validation(sel + ".tagStatus",
                            "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.");
                }
                if (prefixes && patterns) {
                    throw LifecyclePolicyException.validation(sel + ".tagPatternList",
                            "Cannot specify both tagPrefixList and tagPatternList in one rule.");
                }
            }
            case UNTAGGED, ANY -> {
                if (prefixes || patterns) {
                    throw LifecyclePolicyException.validation(sel + (prefixes ? ".tagPrefixList" : ".tagPatternList"),
                            "tagPrefixList and tagPatternList can only be used when tagStatus=TAGGED, not tagStatus="
                                    + selection.tagStatus() + ".");
                }
            }
        }
        tagFilters(sel, selection);
        if (selection.countType().isAge() && selection.countUnit().isEmpty()) {
            throw LifecyclePolicyException.validation(sel + ".countUnit",
                    "countUnit is required when countType=" + selection.countType().value() + ".");
        }
        if (!selection.countType().isAge() && selection.countUnit().isPresent()) {
            throw LifecyclePolicyException.validation(sel + ".countUnit",
                    "countUnit can only be used when countType is sinceImagePushed or sinceImagePulled, not "
                            + selection.countType().value() + ".");
        }
        if (selection.countUnit().isPresent() && !selection.countUnit().get().equals("days")) {
            throw LifecyclePolicyException.validation(sel + ".countUnit", "instance value ("
                    + selection.countUnit().get() + ") not found in enum :(possible values: [\"days\"])");
        }
    }

    private static void tagFilters(String sel, Selection selection) {
        for (int j = 0; j < selection.tagPrefixList().size(); j++) {
            if (selection.tagPrefixList().get(j).isEmpty()) {
                throw LifecyclePolicyException.validation(sel + ".tagPrefixList[" + j + "]",
                        "string \"\" is too short (length: 0, required minimum: 1)");
            }
        }
        for (int j = 0; j < selection.tagPatternList().size(); j++) {
            TagPattern pattern = new TagPattern(selection.tagPatternList().get(j));
            if (pattern.pattern().isEmpty()) {
                throw LifecyclePolicyException.validation(sel + ".tagPatternList[" + j + "]",
                        "string \"\" is too short (length: 0, required minimum: 1)");
            }
            if (pattern.wildcards() > TagPattern.MAX_WILDCARDS) {
                throw LifecyclePolicyException.validation(sel + ".tagPatternList[" + j + "]",
                        "tag pattern \"" + pattern.pattern() + "\" has " + pattern.wildcards()
                                + " wildcards (*); at most " + TagPattern.MAX_WILDCARDS + " are allowed.");
            }
        }
    }

    private static void acrossRules(List<LifecycleRule> rules) {
        Map<Integer, Integer> priorities = new HashMap<>();
        Map<Set<String>, Integer> prefixSets = new HashMap<>();
        Map<Set<String>, Integer> patternSets = new HashMap<>();
        Integer untagged = null;
        int highest = rules.stream().mapToInt(LifecycleRule::rulePriority).max().orElseThrow();
        for (int i = 0; i < rules.size(); i++) {
            LifecycleRule rule = rules.get(i);
            String at = "rules[" + i + "]";
            Integer same = priorities.putIfAbsent(rule.rulePriority(), i);
            if (same != null) {
                throw LifecyclePolicyException.validation(at + ".rulePriority", "rulePriority " + rule.rulePriority()
                        + " is used by rules[" + same + "] too; each rule needs a unique rulePriority.");
            }
            Selection selection = rule.selection();
            if (selection.tagStatus() == TagStatus.UNTAGGED) {
                if (untagged != null) {
                    throw LifecyclePolicyException.validation(at + ".selection.tagStatus",
                            "Only one rule can select Untagged images.");
                }
                untagged = i;
            }
            if (selection.tagStatus() == TagStatus.ANY && rule.rulePriority() != highest) {
                throw LifecyclePolicyException.validation(at + ".rulePriority",
                        "Rule for tagStatus=ANY must have the lowest priority");
            }
            uniqueTags(at + ".selection.tagPrefixList", "tagPrefixList", Set.copyOf(selection.tagPrefixList()), i, prefixSets);
            uniqueTags(at + ".selection.tagPatternList", "tagPatternList", Set.copyOf(selection.tagPatternList()), i, patternSets);
        }
    }

    /** "The set of rules must contain a unique set of tag prefixes": no two rules select by the same list. */
    private static void uniqueTags(String at, String name, Set<String> tags, int index, Map<Set<String>, Integer> seen) {
        if (tags.isEmpty()) {
            return;
        }
        Integer same = seen.putIfAbsent(tags, index);
        if (same != null) {
            throw LifecyclePolicyException.validation(at, "rules[" + same + "] has the same " + name
                    + "; the set of rules must contain a unique set of tag prefixes.");
        }
    }

    private static void minimumOne(String at, int value) {
        if (value < 1) {
            throw LifecyclePolicyException.validation(at,
                    "numeric instance is lower than the required minimum (minimum: 1, found: " + value + ")");
        }
    }
}
