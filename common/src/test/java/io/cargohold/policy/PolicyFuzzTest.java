package io.cargohold.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded random mutations of valid policies (keys deleted or renamed, wrong types, garbage strings, huge values,
 * deep nesting, duplicate keys, truncation, random bytes). Every result is either rejected with a
 * {@link PolicyException} whose message is one non-empty line, or parses into a policy that allows a request only
 * through an Allow statement that, checked independently of the evaluator, names the principal and the action.
 */
class PolicyFuzzTest {

    private static final long SEED = 0xCA760_4011DL;
    private static final int ROUNDS = 6000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String STRANGER = "999988887777";
    private static final List<String> SEEDS = List.of("""
            {"Version": "2012-10-17", "Id": "seed-1", "Statement": [
              {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                 "arn:aws:iam::444455556666:role/ci"]}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
              {"Sid": "Import", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
               "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
               "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*"},
              {"Sid": "NoTeamX", "Effect": "Deny", "Principal": "*", "NotAction": "ecr:Describe*",
               "Condition": {"StringLike": {"cargohold:PrincipalTag/team": ["x-*", "y?"]},
                             "StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}""", """
            {"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
              "Action": "ecr:*", "NotResource": ["arn:aws:ecr:*:*:repository/private/*"],
              "Condition": {"ArnLike": {"cargohold:PrincipalArn": "arn:aws:iam::*:role/ci-*"},
                            "Null": {"cargohold:PrincipalOrgID": "false"},
                            "StringEqualsIfExists": {"cargohold:PrincipalAccount": ["111122223333", "444455556666"]}}}}""",
            """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "Org", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["ecr:BatchGetImage",
               "ecr:GetDownloadUrlForLayer", "ecr:ListImages"], "Resource": "*",
               "Condition": {"StringEquals": {"cargohold:PrincipalOrgID": "o-abc123"}}},
              {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "ecr:List*"}]}""");
    private static final List<Principal> PRINCIPALS = List.of(
            Principal.anonymous(),
            Principal.ofAccount(STRANGER),
            Principal.ofAccount("111122223333"),
            new Principal("444455556666", "o-abc123", "arn:aws:iam::444455556666:role/ci", Map.of("team", "x-1")),
            new Principal("123456789012", "o-abc123", "arn:aws:iam::123456789012:role/ci-build", Map.of()),
            new Principal(STRANGER, "o-abc123", "arn:aws:iam::" + STRANGER + ":role/ci-7", Map.of("team", "yy")));
    private static final List<String> RESOURCES = List.of(
            "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx",
            "arn:aws:ecr:us-east-1:123456789012:repository/private/app",
            "arn:aws:ecr:eu-west-1:" + STRANGER + ":repository/x");

    @Test
    void parse_mutatedPolicies_rejectedWithOneLineOrAllowOnlyWhatAnAllowStatementNames() {
        Random random = new Random(SEED);
        int rejected = 0;
        int parsed = 0;
        Set<String> messages = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            String text = mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
            Policy policy;
            try {
                policy = Policy.parse(text);
            } catch (PolicyException e) {
                assertOneLine(round, text, e);
                messages.add(e.getMessage().replaceAll("'.*", ""));
                rejected++;
                continue;
            } catch (Throwable t) {
                throw new AssertionError("round " + round + ": " + t + " for " + text, t);
            }
            parsed++;
            checkGrants(round, text, policy);
        }
        assertThat(rejected).as("rejected").isGreaterThan(ROUNDS / 3);
        assertThat(parsed).as("parsed").isGreaterThan(ROUNDS / 20);
        assertThat(messages.size()).as("distinct kinds of message").isGreaterThan(30);
    }

    @Test
    void parse_randomBytes_rejectedWithOneLine() {
        Random random = new Random(SEED + 1);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            String text = round % 2 == 0 ? new String(bytes, StandardCharsets.UTF_8)
                    : "{\"Version\":\"2012-10-17\",\"Statement\":" + new String(bytes, StandardCharsets.ISO_8859_1);
            try {
                Policy.parse(text);
                fail("round " + round + " parsed random bytes: " + text);
            } catch (PolicyException e) {
                assertOneLine(round, text, e);
            }
        }
    }

    @Test
    void parse_seeds_parse() {
        SEEDS.forEach(Policy::parse);
    }

    private static void assertOneLine(int round, String text, PolicyException e) {
        String message = e.getMessage();
        assertThat(message).as("round %d message for %s", round, text).isNotBlank()
                .doesNotContain("\n", "\r", "\u2028", "\u2029").hasSizeLessThan(700);
        assertThat(message.chars().noneMatch(Character::isISOControl)).as("control characters in " + message).isTrue();
    }

    /** Every ALLOW goes through an Allow statement naming the principal and the action, checked independently. */
    private static void checkGrants(int round, String text, Policy policy) {
        for (Principal principal : PRINCIPALS) {
            for (String action : EcrActions.ENFORCED) {
                for (String resource : RESOURCES) {
                    Decision decision = PolicyEvaluator.evaluate(new Request(principal, action, resource),
                            List.of(new NamedPolicy("fuzz", policy)));
                    if (decision.outcome() == Decision.Outcome.IMPLICIT_DENY) {
                        assertThat(decision.statement()).isNull();
                        continue;
                    }
                    Statement statement = policy.statements().stream().filter(s -> s.id().equals(decision.statement()))
                            .findFirst().orElseThrow(() -> new AssertionError("round " + round + ": " + decision
                                    + " names no statement of " + text));
                    Effect expected = decision.allowed() ? Effect.ALLOW : Effect.DENY;
                    assertThat(statement.effect()).as("round %d %s in %s", round, decision, text).isEqualTo(expected);
                    if (decision.allowed()) {
                        assertThat(namesAction(statement, action)).as("round %d: %s for %s in %s", round, decision,
                                action, text).isTrue();
                        assertThat(namesPrincipal(statement, principal, text)).as("round %d: %s for %s in %s", round,
                                decision, principal, text).isTrue();
                    }
                }
            }
        }
    }

    private static boolean namesAction(Statement statement, String action) {
        boolean listed = statement.actions().stream().anyMatch(p -> regex(p, true).matcher(action).matches());
        return statement.notAction() != listed;
    }

    private static boolean namesPrincipal(Statement statement, Principal principal, String text) {
        if (statement.principals().anyone()) {
            return true;
        }
        if (principal.isAnonymous()) {
            return false;
        }
        boolean listed = statement.principals().accounts().contains(principal.account())
                || statement.principals().arns().contains(principal.arn());
        return listed && text.contains(principal.account());
    }

    private static Pattern regex(String glob, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.DOTALL : Pattern.DOTALL);
    }

    // ---- mutations ----

    private static String mutate(Random random, String seed) {
        JsonNode root;
        try {
            root = JSON.readTree(seed);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            root = mutateTree(random, root);
        }
        String text = root.toString();
        if (text.isEmpty()) {
            return text;
        }
        return switch (random.nextInt(12)) {
            case 0 -> text.substring(0, random.nextInt(text.length()));
            case 1 -> {
                int at = random.nextInt(text.length());
                yield text.substring(0, at) + garbage(random) + text.substring(at);
            }
            case 2 -> {
                int at = random.nextInt(text.length());
                yield text.substring(0, at) + (char) random.nextInt(0x3000) + text.substring(at + 1);
            }
            case 3 -> text.replaceFirst("\"Effect\"", "\"Effect\":\"Allow\",\"Effect\"");
            default -> text;
        };
    }

    private static JsonNode mutateTree(Random random, JsonNode root) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return wrongValue(random, root);
        }
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            switch (random.nextInt(5)) {
                case 0 -> object.remove(name);
                case 1 -> object.set(rename(random, name), object.remove(name));
                case 2 -> object.set(name, wrongValue(random, object.get(name)));
                case 3 -> object.set(name, NODES.textNode(garbage(random)));
                default -> object.set(name, nest(random, object.get(name)));
            }
        } else if (target instanceof ArrayNode array && !array.isEmpty()) {
            int index = random.nextInt(array.size());
            switch (random.nextInt(4)) {
                case 0 -> array.remove(index);
                case 1 -> array.set(index, wrongValue(random, array.get(index)));
                case 2 -> array.set(index, NODES.textNode(garbage(random)));
                default -> array.add(array.get(index).deepCopy());
            }
        } else if (random.nextBoolean()) {
            return wrongValue(random, root);
        }
        return root;
    }

    private static void collect(JsonNode node, List<JsonNode> into) {
        if (node.isContainerNode()) {
            into.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), into);
            }
        }
    }

    private static String rename(Random random, String name) {
        return switch (random.nextInt(5)) {
            case 0 -> name.toLowerCase();
            case 1 -> name + "s";
            case 2 -> List.of("Version", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                    "Resource", "NotResource", "Condition", "AWS", "Service", "StringLike", "ForAllValues:StringLike",
                    "aws:PrincipalAccount", "cargohold:PrincipalTag/", "aws:SourceIp", "StringLikeIfExists", "NullIfExists")
                    .get(random.nextInt(20));
            case 3 -> "";
            default -> garbage(random);
        };
    }

    private static JsonNode wrongValue(Random random, JsonNode current) {
        return switch (random.nextInt(11)) {
            case 0 -> NODES.numberNode(random.nextLong());
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.nullNode();
            case 3 -> NODES.objectNode();
            case 4 -> NODES.arrayNode();
            case 5 -> NODES.textNode("");
            case 6 -> NODES.textNode("x".repeat(random.nextBoolean() ? 20_000 : 2_000));
            case 7 -> NODES.arrayNode().add(current == null ? NODES.nullNode() : current.deepCopy());
            case 8 -> NODES.textNode("*");
            case 9 -> NODES.numberNode(random.nextDouble());
            default -> NODES.objectNode().set("AWS", current == null ? NODES.nullNode() : current.deepCopy());
        };
    }

    private static JsonNode nest(Random random, JsonNode value) {
        JsonNode nested = value;
        int depth = 1 + random.nextInt(40);
        for (int i = 0; i < depth; i++) {
            nested = random.nextBoolean() ? NODES.arrayNode().add(nested) : NODES.objectNode().set("Statement", nested);
        }
        return nested;
    }

    private static String garbage(Random random) {
        String alphabet = "*?:/ab\"\\{}[],\n\t\u0000\u00e9\u4e2d\ud83d\ude00-_.ecr:arn:aws:iam::123456789012:root "
                + "ecr:BatchGetImage repository/ \u2028";
        int length = random.nextInt(8) == 0 ? 3000 + random.nextInt(9000) : random.nextInt(40);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
