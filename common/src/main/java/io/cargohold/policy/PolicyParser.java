package io.cargohold.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a policy document into a {@link Policy}, naming the JSON path of the first problem. */
final class PolicyParser {

    static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
    private static final int MAX_DEPTH = 16;
    private static final List<String> POLICY_ELEMENTS = List.of("Version", "Id", "Statement");
    private static final List<String> STATEMENT_ELEMENTS = List.of("Sid", "Effect", "Principal", "Action",
            "NotAction", "Resource", "NotResource", "Condition");
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_. -]{0,128}");
    private static final Pattern ID = Pattern.compile("[\\x20-\\x7e]{0,128}");
    private static final ObjectMapper MAPPER = mapper();

    private PolicyParser() {
    }

    static Policy parse(String json) {
        if (json == null) {
            throw PolicyException.of("policy", null, "must be a JSON document");
        }
        if (json.length() > Policy.MAX_CHARACTERS) {
            throw new PolicyException("policy: " + json.length() + " characters, more than the "
                    + Policy.MAX_CHARACTERS + " accepted");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new PolicyException("policy: not valid JSON: " + PolicyException.shorten(
                    String.valueOf(e.getOriginalMessage())) + where);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new PolicyException("policy: must be a JSON object with Version and Statement");
        }
        onlyElements("policy", root, POLICY_ELEMENTS, "a policy");
        String version = text("Version", root.get("Version"));
        if (!VERSIONS.contains(version)) {
            throw PolicyException.of("Version", version, "must be 2012-10-17 or 2008-10-17");
        }
        String id = root.has("Id") ? text("Id", root.get("Id")) : null;
        if (id != null && !ID.matcher(id).matches()) {
            throw PolicyException.of("Id", id, "must be at most 128 printable ASCII characters");
        }
        return new Policy(version, id, statements(root.get("Statement")));
    }

    private static List<Statement> statements(JsonNode node) {
        if (node == null) {
            throw new PolicyException("Statement: (missing) a policy needs at least one statement");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (node.isObject()) {
            nodes.add(node);
        } else if (node.isArray()) {
            node.forEach(nodes::add);
            if (nodes.isEmpty()) {
                throw new PolicyException("Statement: [] a policy needs at least one statement");
            }
        } else {
            throw new PolicyException("Statement: must be a statement object or an array of them, not "
                    + describe(node));
        }
        List<Statement> statements = new ArrayList<>();
        Set<String> sids = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = "Statement[" + i + "]";
            Statement statement = statement(path, i, nodes.get(i));
            if (statement.sid() != null && !statement.sid().isEmpty() && !sids.add(statement.sid())) {
                throw PolicyException.of(path + ".Sid", statement.sid(), "is used by an earlier statement; Sids "
                        + "must be unique within a policy");
            }
            statements.add(statement);
        }
        return statements;
    }

    private static Statement statement(String path, int index, JsonNode node) {
        if (!node.isObject()) {
            throw new PolicyException(path + ": must be an object, not " + describe(node));
        }
        if (node.has("NotPrincipal")) {
            throw new PolicyException(path + ".NotPrincipal: is not supported; name the principals in Principal "
                    + "and exclude others with a Deny statement");
        }
        onlyElements(path, node, STATEMENT_ELEMENTS, "a statement");
        String sid = node.has("Sid") ? text(path + ".Sid", node.get("Sid")) : null;
        if (sid != null && !SID.matcher(sid).matches()) {
            throw PolicyException.of(path + ".Sid", sid, "must be at most 128 letters, digits, spaces and _.-");
        }
        Effect effect = effect(path + ".Effect", node.get("Effect"));
        Principals principals = principals(path + ".Principal", node.get("Principal"));
        boolean notAction = either(path, node, "Action", "NotAction", true);
        String actionKey = notAction ? "NotAction" : "Action";
        List<String> actions = strings(path + "." + actionKey, node.get(actionKey));
        for (int i = 0; i < actions.size(); i++) {
            EcrActions.validatePattern(path + "." + actionKey + item(node.get(actionKey), i), actions.get(i));
        }
        boolean notResource = either(path, node, "Resource", "NotResource", false);
        String resourceKey = notResource ? "NotResource" : "Resource";
        List<String> resources = node.has(resourceKey) ? strings(path + "." + resourceKey, node.get(resourceKey))
                : List.of();
        for (int i = 0; i < resources.size(); i++) {
            Arn.validateResourcePattern(path + "." + resourceKey + item(node.get(resourceKey), i), resources.get(i));
        }
        List<Condition> conditions = node.has("Condition") ? conditions(path + ".Condition", node.get("Condition"))
                : List.of();
        return new Statement(sid, index, effect, principals, actions, notAction, resources, notResource, conditions);
    }

    private static Effect effect(String path, JsonNode node) {
        String value = text(path, node);
        for (Effect effect : Effect.values()) {
            if (effect.value().equals(value)) {
                return effect;
            }
        }
        throw PolicyException.of(path, value, "must be Allow or Deny");
    }

    private static Principals principals(String path, JsonNode node) {
        if (node == null) {
            throw new PolicyException(path + ": (missing) a statement must name its principals (\"*\" for everyone)");
        }
        if (node.isTextual()) {
            if (!node.textValue().equals("*")) {
                throw PolicyException.of(path, node.textValue(), "must be \"*\" or an object such as "
                        + "{\"AWS\": \"arn:aws:iam::123456789012:root\"}");
            }
            return new Principals(true, Set.of(), Set.of());
        }
        if (!node.isObject()) {
            throw new PolicyException(path + ": must be \"*\" or an object such as {\"AWS\": \"123456789012\"}, not "
                    + describe(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("AWS")) {
                throw PolicyException.of(path, name, "is not supported; principals are AWS accounts and identities: "
                        + "{\"AWS\": ...}");
            }
        }
        if (!node.has("AWS")) {
            throw new PolicyException(path + ": {} must name principals under \"AWS\"");
        }
        List<String> values = strings(path + ".AWS", node.get("AWS"));
        boolean anyone = false;
        Set<String> accounts = new HashSet<>();
        Set<String> arns = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            if (value.equals("*")) {
                anyone = true;
            } else if (Principal.ACCOUNT.matcher(value).matches()) {
                accounts.add(value);
            } else {
                Arn.validatePrincipalArn(path + ".AWS" + item(node.get("AWS"), i), value);
                if (value.endsWith(":root")) {
                    accounts.add(Arn.parts(value)[4]);
                } else {
                    arns.add(value);
                }
            }
        }
        return new Principals(anyone, accounts, arns);
    }

    private static List<Condition> conditions(String path, JsonNode node) {
        if (!node.isObject()) {
            throw new PolicyException(path + ": must be an object of operators, such as {\"StringEquals\": "
                    + "{\"cargohold:PrincipalOrgID\": \"o-abc123\"}}, not " + describe(node));
        }
        List<Condition> conditions = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> block = it.next();
            String opPath = path + "." + PolicyException.shorten(block.getKey());
            String name = block.getKey();
            if (name.startsWith("ForAnyValue:") || name.startsWith("ForAllValues:")) {
                throw PolicyException.of(path, name, "is not supported: every Cargohold condition key has one value");
            }
            boolean ifExists = name.endsWith("IfExists");
            String base = ifExists ? name.substring(0, name.length() - "IfExists".length()) : name;
            ConditionOperator operator = ConditionOperator.byName(base)
                    .filter(op -> !(ifExists && op == ConditionOperator.NULL))
                    .orElseThrow(() -> PolicyException.of(path, name, "is not a supported operator (StringEquals, "
                            + "StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, "
                            + "StringNotLike, ArnEquals, ArnNotEquals, ArnLike, ArnNotLike, each also ...IfExists; Null)"));
            if (!block.getValue().isObject() || block.getValue().isEmpty()) {
                throw new PolicyException(opPath + ": must be a non-empty object of condition keys to values, not "
                        + describe(block.getValue()));
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = block.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = keys.next();
                String keyPath = opPath + "." + PolicyException.shorten(entry.getKey());
                ConditionKey key = ConditionKey.parse(opPath, entry.getKey());
                conditions.add(condition(keyPath, operator, ifExists, key, entry.getValue()));
            }
        }
        return conditions;
    }

    private static Condition condition(String path, ConditionOperator operator, boolean ifExists, ConditionKey key,
                                       JsonNode node) {
        if (operator == ConditionOperator.NULL) {
            String value = node.isBoolean() ? String.valueOf(node.booleanValue()) : node.isTextual() ? node.textValue()
                    : null;
            if (!"true".equals(value) && !"false".equals(value)) {
                throw new PolicyException(path + ": Null takes true (the key is absent) or false (present), not "
                        + describe(node));
            }
            return new Condition(operator, false, key, List.of(value));
        }
        if (operator.arn() && key.kind() != ConditionKey.Kind.ARN) {
            throw new PolicyException(path + ": " + operator.value() + " compares ARNs; use it with "
                    + "cargohold:PrincipalArn, or a String operator with this key");
        }
        List<String> values = strings(path, node);
        for (int i = 0; i < values.size(); i++) {
            if (operator.arn()) {
                Arn.validateConditionArn(path + item(node, i), values.get(i));
            }
        }
        return new Condition(operator, ifExists, key, values);
    }

    /** True when the second (negated) element is present; exactly one of the two is, unless optional. */
    private static boolean either(String path, JsonNode node, String positive, String negative, boolean required) {
        if (node.has(positive) && node.has(negative)) {
            throw new PolicyException(path + ": has both " + positive + " and " + negative + "; use one");
        }
        if (required && !node.has(positive) && !node.has(negative)) {
            throw new PolicyException(path + "." + positive + ": (missing) a statement needs " + positive + " or "
                    + negative);
        }
        return node.has(negative);
    }

    private static List<String> strings(String path, JsonNode node) {
        if (node != null && node.isTextual()) {
            return List.of(node.textValue());
        }
        if (node == null || !node.isArray()) {
            throw new PolicyException(path + ": must be a string or an array of strings, not " + describe(node));
        }
        if (node.isEmpty()) {
            throw new PolicyException(path + ": [] must hold at least one value");
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw new PolicyException(path + "[" + i + "]: must be a string, not " + describe(node.get(i)));
            }
            values.add(node.get(i).textValue());
        }
        return values;
    }

    private static String text(String path, JsonNode node) {
        if (node == null) {
            throw new PolicyException(path + ": (missing) is required");
        }
        if (!node.isTextual()) {
            throw new PolicyException(path + ": must be a string, not " + describe(node));
        }
        return node.textValue();
    }

    private static void onlyElements(String path, JsonNode node, List<String> allowed, String what) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw PolicyException.of(path, name, "is not an element of " + what + " (" + String.join(", ", allowed)
                        + ")");
            }
        }
    }

    /** The index suffix for an element of a list written as an array; nothing for a lone string. */
    private static String item(JsonNode list, int i) {
        return list.isArray() ? "[" + i + "]" : "";
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "(missing)";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "'" + PolicyException.shorten(node.textValue()) + "'";
        }
        return (node.isNumber() ? "the number " : "") + PolicyException.shorten(node.toString());
    }

    private static ObjectMapper mapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
