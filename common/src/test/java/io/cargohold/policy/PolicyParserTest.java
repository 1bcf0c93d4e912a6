package io.cargohold.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyParserTest {

    static final String PULL = """
            {"Version": "2012-10-17", "Statement": [{"Sid": "Pull", "Effect": "Allow",
             "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666",
                                   "arn:aws:iam::777788889999:role/ci"]},
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
             "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*",
             "Condition": {"StringEquals": {"cargohold:PrincipalOrgID": "o-abc123"}}}]}""";

    @Test
    void parse_fullStatement_readsEveryElement() {
        Policy policy = Policy.parse(PULL);

        assertThat(policy.version()).isEqualTo("2012-10-17");
        Statement statement = policy.statements().get(0);
        assertThat(statement.id()).isEqualTo("Pull");
        assertThat(statement.effect()).isEqualTo(Effect.ALLOW);
        assertThat(statement.principals().accounts()).containsExactlyInAnyOrder("111122223333", "444455556666");
        assertThat(statement.principals().arns()).containsExactly("arn:aws:iam::777788889999:role/ci");
        assertThat(statement.actions()).containsExactly("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");
        assertThat(statement.resources()).containsExactly("arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*");
        assertThat(statement.conditions()).singleElement().satisfies(c -> {
            assertThat(c.operator()).isEqualTo(ConditionOperator.STRING_EQUALS);
            assertThat(c.key().kind()).isEqualTo(ConditionKey.Kind.ORG_ID);
            assertThat(c.values()).containsExactly("o-abc123");
        });
    }

    @Test
    void parse_singleStatementObjectAndStrings_accepted() {
        Policy policy = Policy.parse("""
                {"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
                 "NotAction": "ecr:Describe*"}}""");

        Statement statement = policy.statements().get(0);
        assertThat(statement.id()).isEqualTo("Statement[0]");
        assertThat(statement.notAction()).isTrue();
        assertThat(statement.principals().anyone()).isTrue();
        assertThat(statement.resources()).isEmpty();
    }

    @Test
    void parse_awsConditionKeysAndLowerCaseActions_acceptedAsAliases() {
        Policy policy = Policy.parse("""
                {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "*"},
                 "Action": "ECR:batchgetimage",
                 "Condition": {"StringLike": {"aws:PrincipalTag/Team": "ci-*", "AWS:PrincipalAccount": "1111*"}}}}""");

        assertThat(policy.statements().get(0).conditions()).extracting(c -> c.key().kind())
                .containsExactly(ConditionKey.Kind.TAG, ConditionKey.Kind.ACCOUNT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not JSON                  | {\"Version\": | policy: not valid JSON",
        "array root                | [] | policy: must be a JSON object with Version and Statement",
        "trailing garbage          | {\"Version\":\"2012-10-17\",\"Statement\":[]} x | policy: not valid JSON",
        "duplicate key             | {\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\"} | policy: not valid JSON: Duplicate field 'Version'",
        "missing Version           | {\"Statement\":[]} | Version: (missing) is required",
        "wrong Version             | {\"Version\":\"2020-01-01\",\"Statement\":[]} | Version: '2020-01-01' must be 2012-10-17 or 2008-10-17",
        "Version number            | {\"Version\":2012,\"Statement\":[]} | Version: must be a string, not the number 2012",
        "unknown top element       | {\"Version\":\"2012-10-17\",\"Statment\":[]} | policy: 'Statment' is not an element of a policy (Version, Id, Statement)",
        "empty statements          | {\"Version\":\"2012-10-17\",\"Statement\":[]} | Statement: [] a policy needs at least one statement",
        "statement string          | {\"Version\":\"2012-10-17\",\"Statement\":\"x\"} | Statement: must be a statement object or an array of them, not 'x'",
    })
    void parse_malformedDocument_rejectedNamingThePath(String name, String json, String message) {
        assertRejected(json, message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "unknown element      | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Actions\":1 | Statement[1]: 'Actions' is not an element of a statement",
        "effect lower case    | \"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\" | Statement[1].Effect: 'allow' must be Allow or Deny",
        "effect missing       | \"Principal\":\"*\",\"Action\":\"ecr:ListImages\" | Statement[1].Effect: (missing) is required",
        "principal missing    | \"Effect\":\"Allow\",\"Action\":\"ecr:ListImages\" | Statement[1].Principal: (missing) a statement must name its principals",
        "principal service    | \"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecr.amazonaws.com\"},\"Action\":\"ecr:ListImages\" | Statement[1].Principal: 'Service' is not supported",
        "principal bad arn    | \"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::1234:root\"},\"Action\":\"ecr:ListImages\" | Statement[1].Principal.AWS: 'arn:aws:iam::1234:root' must be *, a 12-digit account ID or an IAM ARN",
        "principal wildcard   | \"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/*\"},\"Action\":\"ecr:ListImages\" | Statement[1].Principal.AWS: 'arn:aws:iam::123456789012:role/*' must be *",
        "not principal        | \"Effect\":\"Allow\",\"NotPrincipal\":\"*\",\"Action\":\"ecr:ListImages\" | Statement[1].NotPrincipal: is not supported",
        "unknown action       | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"ecr:ListImages\",\"ecr:PullImage\"] | Statement[1].Action[1]: 'ecr:PullImage' is not an Amazon ECR action",
        "other service        | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\" | Statement[1].Action: 's3:GetObject' must be an Amazon ECR action",
        "wildcard no match    | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:Pull*\" | Statement[1].Action: 'ecr:Pull*' matches no Amazon ECR action",
        "action and not       | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"NotAction\":\"ecr:ListImages\" | Statement[1]: has both Action and NotAction; use one",
        "no action            | \"Effect\":\"Allow\",\"Principal\":\"*\" | Statement[1].Action: (missing) a statement needs Action or NotAction",
        "empty actions        | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[] | Statement[1].Action: [] must hold at least one value",
        "action number        | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"ecr:ListImages\",7] | Statement[1].Action[1]: must be a string, not the number 7",
        "action object        | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":{} | Statement[1].Action: must be a string or an array of strings, not an object",
        "resource s3          | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Resource\":\"arn:aws:s3:::bucket\" | Statement[1].Resource: 'arn:aws:s3:::bucket' must be * or a repository ARN",
        "resource no account  | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Resource\":\"arn:aws:ecr:us-east-1::repository/x\" | Statement[1].Resource: 'arn:aws:ecr:us-east-1::repository/x' must be * or a repository ARN",
        "resource not repo    | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Resource\":\"arn:aws:ecr:us-east-1:123456789012:registry/x\" | Statement[1].Resource: 'arn:aws:ecr:us-east-1:123456789012:registry/x' names no repository",
        "condition operator   | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"StringMatches\":{\"aws:PrincipalAccount\":\"1\"}} | Statement[1].Condition: 'StringMatches' is not a supported operator",
        "condition key        | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"StringLike\":{\"aws:SourceIp\":\"10.*\"}} | Statement[1].Condition.StringLike: 'aws:SourceIp' must be cargohold:PrincipalAccount",
        "condition empty      | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"StringLike\":{}} | Statement[1].Condition.StringLike: must be a non-empty object",
        "condition value type | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"StringLike\":{\"cargohold:PrincipalOrgID\":{}}} | Statement[1].Condition.StringLike.cargohold:PrincipalOrgID: must be a string or an array of strings, not an object",
        "arn on account       | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"ArnLike\":{\"cargohold:PrincipalAccount\":\"arn:aws:iam::*:root\"}} | Statement[1].Condition.ArnLike.cargohold:PrincipalAccount: ArnLike compares ARNs",
        "arn value            | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"ArnLike\":{\"cargohold:PrincipalArn\":\"role/ci\"}} | Statement[1].Condition.ArnLike.cargohold:PrincipalArn: 'role/ci' must be an ARN",
        "set operator         | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"ForAnyValue:StringLike\":{\"cargohold:PrincipalArn\":\"x\"}} | Statement[1].Condition: 'ForAnyValue:StringLike' is not supported",
        "null value           | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"Null\":{\"cargohold:PrincipalOrgID\":\"yes\"}} | Statement[1].Condition.Null.cargohold:PrincipalOrgID: Null takes true",
        "tag key missing      | \"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\",\"Condition\":{\"StringEquals\":{\"cargohold:PrincipalTag/\":\"x\"}} | Statement[1].Condition.StringEquals: 'cargohold:PrincipalTag/' has no valid tag key",
        "duplicate sid        | \"Sid\":\"First\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\" | Statement[1].Sid: 'First' is used by an earlier statement",
        "sid characters       | \"Sid\":\"a/b\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\" | Statement[1].Sid: 'a/b' must be at most 128 letters",
    })
    void parse_malformedSecondStatement_rejectedNamingThePath(String name, String statement, String message) {
        String json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"First\",\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"ecr:ListImages\"},{" + statement + "}]}";

        assertRejected(json, message);
    }

    @Test
    void parse_badElementOfOneElementArray_pathNamesTheIndex() {
        assertRejected("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":[\"ecr:Nope\"]}}", "Statement[0].Action[0]: 'ecr:Nope' is not an Amazon ECR action");
    }

    @Test
    void parse_overSizeLimit_rejected() {
        String json = "{\"Version\":\"2012-10-17\",\"Id\":\"" + "x".repeat(Policy.MAX_CHARACTERS) + "\"}";

        assertRejected(json, "policy: " + json.length() + " characters, more than the 10240 accepted");
    }

    @Test
    void parse_deeplyNested_rejected() {
        String json = "{\"Version\":\"2012-10-17\",\"Id\":" + "[".repeat(100) + "]".repeat(100) + "}";

        assertRejected(json, "policy: not valid JSON");
    }

    @Test
    void parse_controlCharactersInValue_messageStaysOnOneLine() {
        assertRejected("{\"Version\":\"2012-10-17\\nInjected: line\",\"Statement\":[]}",
                "Version: '2012-10-17\\u000aInjected: line' must be");
    }

    @Test
    void parse_null_rejected() {
        assertRejected(null, "policy: (missing) must be a JSON document");
    }

    static void assertRejected(String json, String messageStart) {
        assertThatThrownBy(() -> Policy.parse(json))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(messageStart)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }
}
