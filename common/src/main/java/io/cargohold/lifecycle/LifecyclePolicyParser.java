package io.cargohold.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads ECR lifecycle policy text into rules, refusing what ECR's schema refuses with ECR's wording
 * (missing or unknown properties, wrong JSON types, values outside an enum). The rules between them
 * are checked by {@link LifecyclePolicyValidator}.
 */
final class LifecyclePolicyParser {

    /** PutLifecyclePolicy's length limits on {@code lifecyclePolicyText}. */
    static final int MIN_TEXT_LENGTH = 100;
    static final int MAX_TEXT_LENGTH = 30720;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ACTION_TYPES = Set.of("expire");
    private static final Set<String> COUNT_UNITS = Set.of("days");

    private LifecyclePolicyParser() {
    }

    static List<LifecycleRule> parse(String text) {
        if (text == null || text.length() < MIN_TEXT_LENGTH) {
            throw LifecyclePolicyException.length("Member must have length greater than or equal to " + MIN_TEXT_LENGTH);
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw LifecyclePolicyException.length("Member must have length less than or equal to " + MAX_TEXT_LENGTH);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw LifecyclePolicyException.validation(null, "Could not map policyString into LifecyclePolicy.");
        }
        properties("", root, Set.of("rules"), Set.of());
        JsonNode rules = ofType("rules", root.get("rules"), "array");
        List<LifecycleRule> parsed = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            parsed.add(rule("rules[" + i + "]", rules.get(i)));
        }
        return parsed;
    }

    private static LifecycleRule rule(String at, JsonNode rule) {
        ofType(at, rule, "object");
        properties(at, rule, Set.of("rulePriority", "selection", "action"), Set.of("description"));
        int priority = integer(at + ".rulePriority", rule.get("rulePriority"));
        Optional<String> description = rule.has("description")
                ? Optional.of(ofType(at + ".description", rule.get("description"), "string").asText())
                : Optional.empty();
        JsonNode action = ofType(at + ".action", rule.get("action"), "object");
        properties(at + ".action", action, Set.of("type"), Set.of());
        oneOf(at + ".action.type", ofType(at + ".action.type", action.get("type"), "string").asText(), ACTION_TYPES);
        return new LifecycleRule(priority, description, selection(at + ".selection", rule.get("selection")));
    }

    private static Selection selection(String at, JsonNode selection) {
        ofType(at, selection, "object");
        properties(at, selection, Set.of("tagStatus", "countType", "countNumber"),
                Set.of("tagPrefixList", "tagPatternList", "countUnit"));
        String status = ofType(at + ".tagStatus", selection.get("tagStatus"), "string").asText();
        TagStatus tagStatus = TagStatus.fromValue(status).orElseThrow(() -> notInEnum(at + ".tagStatus", status,
                List.of(TagStatus.values()).stream().map(TagStatus::value).collect(Collectors.toSet())));
        String type = ofType(at + ".countType", selection.get("countType"), "string").asText();
        CountType countType = CountType.fromValue(type).orElseThrow(() -> notInEnum(at + ".countType", type,
                List.of(CountType.values()).stream().map(CountType::value).collect(Collectors.toSet())));
        Optional<String> countUnit = Optional.empty();
        if (selection.has("countUnit")) {
            String unit = ofType(at + ".countUnit", selection.get("countUnit"), "string").asText();
            countUnit = Optional.of(oneOf(at + ".countUnit", unit, COUNT_UNITS));
        }
        return new Selection(tagStatus, strings(at + ".tagPrefixList", selection.get("tagPrefixList")),
                strings(at + ".tagPatternList", selection.get("tagPatternList")), countType, countUnit,
                integer(at + ".countNumber", selection.get("countNumber")));
    }

    private static void properties(String at, JsonNode object, Set<String> required, Set<String> optional) {
        Set<String> missing = new TreeSet<>(required);
        object.fieldNames().forEachRemaining(missing::remove);
        if (!missing.isEmpty()) {
            throw LifecyclePolicyException.validation(at.isEmpty() ? null : at,
                    "object has missing required properties (" + jsonList(missing) + ")");
        }
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!required.contains(name) && !optional.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw LifecyclePolicyException.validation(at.isEmpty() ? null : at,
                    "object instance has properties which are not allowed by the schema: (" + jsonList(unknown) + ")");
        }
    }

    private static JsonNode ofType(String at, JsonNode node, String type) {
        if (!type.equals(typeOf(node))) {
            throw LifecyclePolicyException.validation(at, "instance type (" + typeOf(node)
                    + ") does not match any allowed primitive type (allowed: [\"" + type + "\"])");
        }
        return node;
    }

    private static int integer(String at, JsonNode node) {
        ofType(at, node, "integer");
        if (!node.canConvertToInt()) {
            throw LifecyclePolicyException.validation(at, "numeric instance is greater than the required maximum (maximum: "
                    + Integer.MAX_VALUE + ", found: " + node.asText() + ")");
        }
        return node.intValue();
    }

    private static List<String> strings(String at, JsonNode node) {
        if (node == null) {
            return List.of();
        }
        ofType(at, node, "array");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            values.add(ofType(at + "[" + i + "]", node.get(i), "string").asText());
        }
        return values;
    }

    private static String oneOf(String at, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw notInEnum(at, value, allowed);
        }
        return value;
    }

    private static LifecyclePolicyException notInEnum(String at, String value, Set<String> allowed) {
        return LifecyclePolicyException.validation(at,
                "instance value (" + value + ") not found in enum :(possible values: " + jsonList(new TreeSet<>(allowed)) + ")");
    }

    /** The JSON Schema type names ECR's messages use. */
    private static String typeOf(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "null";
        }
        if (node.isObject()) {
            return "object";
        }
        if (node.isArray()) {
            return "array";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return node.isIntegralNumber() ? "integer" : "number";
    }

    private static String jsonList(Set<String> values) {
        return values.stream().map(value -> "\"" + value + "\"").collect(Collectors.joining(",", "[", "]"));
    }
}
