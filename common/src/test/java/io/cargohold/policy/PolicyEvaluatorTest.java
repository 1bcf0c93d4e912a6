package io.cargohold.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyEvaluatorTest {

    static final String REPO = "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx";
    static final Principal OTHER = Principal.ofAccount("111122223333");

    static Decision decide(String statements, Principal principal, String action, String resource) {
        Policy policy = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}");
        return PolicyEvaluator.evaluate(new Request(principal, action, resource), List.of(new NamedPolicy("p", policy)));
    }

    static Decision decide(String statements, Principal principal) {
        return decide(statements, principal, EcrActions.BATCH_GET_IMAGE, REPO);
    }

    @Test
    void evaluate_noStatementMatches_implicitDenyNamingNothing() {
        Decision decision = decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\"}", OTHER);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
        assertThat(decision.policy()).isNull();
        assertThat(decision.statement()).isNull();
        assertThat(decision.reason()).isEqualTo("no statement allows ecr:BatchGetImage on " + REPO
                + " to arn:aws:iam::111122223333:root");
    }

    @Test
    void evaluate_noPolicies_implicitDeny() {
        Decision decision = PolicyEvaluator.evaluate(new Request(OTHER, EcrActions.BATCH_GET_IMAGE, REPO), List.of());

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
    }

    @Test
    void evaluate_allowMatches_allowNamingPolicyAndSid() {
        Decision decision = decide("{\"Sid\":\"Other\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\"},"
                + "{\"Sid\":\"Pull\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}", OTHER);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(decision.policy()).isEqualTo("p");
        assertThat(decision.statement()).isEqualTo("Pull");
        assertThat(decision.reason()).isEqualTo("allowed by Pull of the p policy");
    }

    @Test
    void evaluate_statementWithoutSid_namedByIndex() {
        Decision decision = decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:ListImages\"},"
                + "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}", OTHER);

        assertThat(decision.statement()).isEqualTo("Statement[1]");
    }

    @Test
    void evaluate_denyAfterAllow_explicitDenyNamingTheDeny() {
        Decision decision = decide("{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"},"
                + "{\"Sid\":\"NoPull\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"111122223333\"},"
                + "\"Action\":\"ecr:BatchGetImage\"}", OTHER);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(decision.statement()).isEqualTo("NoPull");
        assertThat(decision.reason()).isEqualTo("denied by NoPull of the p policy");
    }

    @Test
    void evaluate_denyInOnePolicyAllowInAnother_explicitDeny() {
        Policy allow = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"ecr:*\"}}");
        Policy deny = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Stop\",\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"ecr:*\"}}");

        Decision decision = PolicyEvaluator.evaluate(new Request(OTHER, EcrActions.BATCH_GET_IMAGE, REPO),
                List.of(new NamedPolicy("a", allow), new NamedPolicy("d", deny)));

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(decision.policy()).isEqualTo("d");
    }

    @Test
    void evaluate_denyForOtherPrincipal_allowStands() {
        Decision decision = decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"},"
                + "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"999999999999\"},\"Action\":\"ecr:*\"}", OTHER);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.ALLOW);
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "ecr:*, ecr:BatchGetImage, true",
        "*, ecr:BatchGetImage, true",
        "ecr:Batch*, ecr:BatchGetImage, true",
        "ecr:Batch*, ecr:GetDownloadUrlForLayer, false",
        "ecr:?etDownloadUrlForLayer, ecr:GetDownloadUrlForLayer, true",
        "ecr:*Image, ecr:BatchGetImage, true",
        "ecr:*Image, ecr:ListImages, false",
        "ECR:BATCHGETIMAGE, ecr:BatchGetImage, true",
        "ecr:Describe*, ecr:DescribeImages, true",
    })
    void evaluate_actionWildcards_matchAsIam(String pattern, String action, boolean allowed) {
        Decision decision = decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"" + pattern + "\"}", OTHER,
                action, REPO);

        assertThat(decision.allowed()).isEqualTo(allowed);
    }

    @Test
    void evaluate_notAction_coversEveryOtherAction() {
        String statement = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":[\"ecr:CreateRepository\","
                + "\"ecr:BatchImport*\"]}";

        assertThat(decide(statement, OTHER, EcrActions.BATCH_GET_IMAGE, REPO).allowed()).isTrue();
        assertThat(decide(statement, OTHER, EcrActions.CREATE_REPOSITORY, REPO).allowed()).isFalse();
        assertThat(decide(statement, OTHER, EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, REPO).allowed()).isFalse();
    }

    @Test
    void evaluate_denyWithNotAction_deniesEverythingButListed() {
        String statements = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"},"
                + "{\"Sid\":\"ReadOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":[\"ecr:BatchGetImage\","
                + "\"ecr:GetDownloadUrlForLayer\"]}";

        assertThat(decide(statements, OTHER, EcrActions.BATCH_GET_IMAGE, REPO).outcome())
                .isEqualTo(Decision.Outcome.ALLOW);
        assertThat(decide(statements, OTHER, EcrActions.LIST_IMAGES, REPO).outcome())
                .isEqualTo(Decision.Outcome.EXPLICIT_DENY);
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "*, repository/dockerhub/library/nginx, true",
        "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*, repository/dockerhub/library/nginx, true",
        "arn:aws:ecr:us-east-1:123456789012:repository/quay/*, repository/dockerhub/library/nginx, false",
        "arn:aws:ecr:*:123456789012:repository/*, repository/dockerhub/library/nginx, true",
        "arn:aws:ecr:eu-west-1:123456789012:repository/*, repository/dockerhub/library/nginx, false",
        "arn:aws:ecr:us-east-1:999999999999:repository/*, repository/dockerhub/library/nginx, false",
        "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx, repository/dockerhub/library/nginx, true",
        "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx, repository/dockerhub/library/nginx-x, false",
        "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/ngin?, repository/dockerhub/library/nginx, true",
        "arn:aws:ecr:us-east-1:123456789012:repository/DOCKERHUB/*, repository/dockerhub/library/nginx, false",
        "arn:aws:ecr:us-east-1:123456789012:*, repository/dockerhub/library/nginx, true",
        "arn:*:ecr:*:*:repository/*, repository/dockerhub/library/nginx, true",
    })
    void evaluate_resourcePatterns_matchElementByElement(String pattern, String resource, boolean allowed) {
        Decision decision = decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\",\"Resource\":\""
                + pattern + "\"}", OTHER, EcrActions.BATCH_GET_IMAGE,
                "arn:aws:ecr:us-east-1:123456789012:" + resource);

        assertThat(decision.allowed()).isEqualTo(allowed);
    }

    @Test
    void evaluate_resourcePrefixPattern_doesNotMatchTheNameElsewhere() {
        String statement = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\",\"Resource\":"
                + "\"arn:aws:ecr:*:*:repository/dockerhub*\"}";

        assertThat(decide(statement, OTHER, EcrActions.BATCH_GET_IMAGE,
                "arn:aws:ecr:us-east-1:123456789012:repository/quay/dockerhub").allowed()).isFalse();
        assertThat(decide(statement, OTHER, EcrActions.BATCH_GET_IMAGE,
                "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub-mirror/x").allowed()).isTrue();
    }

    @Test
    void evaluate_notResource_coversOtherRepositories() {
        String statement = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\",\"NotResource\":"
                + "\"arn:aws:ecr:*:*:repository/private/*\"}";

        assertThat(decide(statement, OTHER, EcrActions.BATCH_GET_IMAGE, REPO).allowed()).isTrue();
        assertThat(decide(statement, OTHER, EcrActions.BATCH_GET_IMAGE,
                "arn:aws:ecr:us-east-1:123456789012:repository/private/app").allowed()).isFalse();
    }

    @Test
    void evaluate_principalForms_matchAccountsAndExactArns() {
        String statement = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"111122223333\","
                + "\"arn:aws:iam::444455556666:root\",\"arn:aws:iam::777788889999:role/ci\"]},\"Action\":\"ecr:*\"}";
        Principal ciRole = new Principal("777788889999", null, "arn:aws:iam::777788889999:role/ci", null);
        Principal otherRole = ciRole.withArn("arn:aws:iam::777788889999:role/admin");
        Principal roleInListedAccount = Principal.ofAccount("444455556666").withArn("arn:aws:iam::444455556666:user/bob");

        assertThat(decide(statement, OTHER).allowed()).isTrue();
        assertThat(decide(statement, roleInListedAccount).allowed()).isTrue();
        assertThat(decide(statement, ciRole).allowed()).isTrue();
        assertThat(decide(statement, otherRole).allowed()).isFalse();
        assertThat(decide(statement, Principal.ofAccount("999999999999")).allowed()).isFalse();
        assertThat(decide(statement, Principal.anonymous()).allowed()).isFalse();
    }

    @Test
    void evaluate_principalStar_includesAnonymous() {
        assertThat(decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}", Principal.anonymous())
                .allowed()).isTrue();
        assertThat(decide("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"ecr:*\"}",
                Principal.anonymous()).allowed()).isTrue();
    }

    static Decision withCondition(String condition, Principal principal) {
        return decide("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\",\"Condition\":" + condition + "}",
                principal);
    }

    static final Principal TAGGED = new Principal("111122223333", "o-abc123", "arn:aws:iam::111122223333:role/ci-build",
            java.util.Map.of("team", "platform"));

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"StringEquals\":{\"cargohold:PrincipalAccount\":\"111122223333\"}}                 | true",
        "{\"StringEquals\":{\"cargohold:PrincipalAccount\":\"444455556666\"}}                 | false",
        "{\"StringEquals\":{\"cargohold:PrincipalOrgID\":[\"o-zzz\",\"o-abc123\"]}}          | true",
        "{\"StringEquals\":{\"cargohold:PrincipalOrgID\":\"O-ABC123\"}}                       | false",
        "{\"StringEqualsIgnoreCase\":{\"cargohold:PrincipalOrgID\":\"O-ABC123\"}}             | true",
        "{\"StringNotEquals\":{\"cargohold:PrincipalOrgID\":\"o-abc123\"}}                    | false",
        "{\"StringNotEquals\":{\"cargohold:PrincipalOrgID\":[\"o-x\",\"o-y\"]}}               | true",
        "{\"StringNotEqualsIgnoreCase\":{\"cargohold:PrincipalOrgID\":\"O-ABC123\"}}          | false",
        "{\"StringLike\":{\"cargohold:PrincipalTag/team\":\"plat*\"}}                         | true",
        "{\"StringLike\":{\"cargohold:PrincipalTag/TEAM\":\"plat?orm\"}}                      | true",
        "{\"StringLike\":{\"aws:PrincipalTag/team\":\"ops*\"}}                                | false",
        "{\"StringNotLike\":{\"cargohold:PrincipalTag/team\":[\"ops*\",\"sec*\"]}}            | true",
        "{\"StringNotLike\":{\"cargohold:PrincipalTag/team\":\"p*\"}}                         | false",
        "{\"ArnLike\":{\"cargohold:PrincipalArn\":\"arn:aws:iam::*:role/ci-*\"}}              | true",
        "{\"ArnLike\":{\"cargohold:PrincipalArn\":\"arn:aws:iam::*:user/*\"}}                 | false",
        "{\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/ci-build\"}}   | true",
        "{\"ArnNotLike\":{\"cargohold:PrincipalArn\":\"arn:aws:iam::*:role/ci-*\"}}           | false",
        "{\"ArnNotEquals\":{\"cargohold:PrincipalArn\":\"arn:aws:iam::111122223333:role/x\"}} | true",
        "{\"Null\":{\"cargohold:PrincipalTag/team\":\"false\"}}                               | true",
        "{\"Null\":{\"cargohold:PrincipalTag/cost\":true}}                                    | true",
        "{\"Null\":{\"cargohold:PrincipalOrgID\":\"true\"}}                                   | false",
    })
    void evaluate_conditionOperators_matchAsIam(String condition, boolean allowed) {
        assertThat(withCondition(condition, TAGGED).allowed()).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"StringEquals\":{\"cargohold:PrincipalOrgID\":\"o-abc123\"}}          | false",
        "{\"StringEqualsIfExists\":{\"cargohold:PrincipalOrgID\":\"o-abc123\"}}  | true",
        "{\"StringNotEquals\":{\"cargohold:PrincipalOrgID\":\"o-abc123\"}}       | true",
        "{\"StringLike\":{\"cargohold:PrincipalTag/team\":\"*\"}}                | false",
        "{\"StringLikeIfExists\":{\"cargohold:PrincipalTag/team\":\"ops\"}}      | true",
        "{\"StringNotLike\":{\"cargohold:PrincipalTag/team\":\"*\"}}             | true",
        "{\"Null\":{\"cargohold:PrincipalOrgID\":\"true\"}}                      | true",
    })
    void evaluate_conditionOnAbsentKey_positiveFailsNegatedAndIfExistsHold(String condition, boolean allowed) {
        assertThat(withCondition(condition, Principal.ofAccount("111122223333")).allowed()).isEqualTo(allowed);
    }

    @Test
    void evaluate_severalKeysAndOperators_allMustHold() {
        String both = "{\"StringEquals\":{\"cargohold:PrincipalOrgID\":\"o-abc123\","
                + "\"cargohold:PrincipalTag/team\":\"platform\"},\"StringLike\":{\"cargohold:PrincipalAccount\":\"1111*\"}}";
        String oneFails = "{\"StringEquals\":{\"cargohold:PrincipalOrgID\":\"o-abc123\","
                + "\"cargohold:PrincipalTag/team\":\"ops\"},\"StringLike\":{\"cargohold:PrincipalAccount\":\"1111*\"}}";

        assertThat(withCondition(both, TAGGED).allowed()).isTrue();
        assertThat(withCondition(oneFails, TAGGED).allowed()).isFalse();
    }

    @Test
    void evaluate_denyOutsideOrganization_deniesOthersOnly() {
        String statements = "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"},"
                + "{\"Sid\":\"OrgOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:*\","
                + "\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-abc123\"}}}";

        assertThat(decide(statements, TAGGED).outcome()).isEqualTo(Decision.Outcome.ALLOW);
        Decision outsider = decide(statements, OTHER);
        assertThat(outsider.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(outsider.statement()).isEqualTo("OrgOnly");
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource({
        "*, '', true",
        "a*b*c, abc, true",
        "a*b*c, aXbYc, true",
        "a*b*c, aXbY, false",
        "?, '', false",
        "a?c, abc, true",
        "**, x, true",
        "a*, b, false",
    })
    void glob_wildcards_matchAsIam(String pattern, String value, boolean matches) {
        assertThat(Glob.matches(pattern, value, false)).isEqualTo(matches);
    }

    @Test
    void glob_manyStarsAgainstLongValue_returnsQuickly() {
        String pattern = "*a".repeat(2000) + "b";
        String value = "a".repeat(5000);

        long start = System.nanoTime();
        assertThat(Glob.matches(pattern, value, false)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }
}
