package io.cargohold.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cargohold's rules in {@link Authorizer}: which policy governs which action, the first pull, the own account. */
class PolicyAuthorizerTest {

    static final RegistryId REGISTRY = RegistryId.of("us-east-1", "123456789012");
    static final Authorizer AUTHORIZER = new Authorizer(REGISTRY, Authorizer.OwnAccount.ALLOWED_UNLESS_DENIED);
    static final Principal CI = new Principal("111122223333", null, "arn:aws:iam::111122223333:role/ci", null);
    static final String NGINX = "dockerhub/library/nginx";

    static Policy policy(String sid, String principal, List<String> actions, String resource) {
        return Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":[\"" + String.join("\",\"", actions) + "\"]"
                + (resource == null ? "" : ",\"Resource\":\"" + resource + "\"") + "}}");
    }

    /** The registry policy of a cross-account first pull: import and create under dockerhub/, nothing else. */
    static Policy registryPolicy(List<String> actions) {
        return policy("PullThroughDockerHub", "111122223333", actions,
                "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*");
    }

    /** The repository policy the new repository has: the two pull actions. */
    static Policy repositoryPolicy(List<String> actions) {
        return policy("Pull", "arn:aws:iam::111122223333:role/ci", actions, null);
    }

    static final List<String> IMPORT_CREATE = List.of(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, EcrActions.CREATE_REPOSITORY);

    @Test
    void mayPullThrough_crossAccountWithImportCreateAndPullActions_allowed() {
        Decision decision = AUTHORIZER.mayPullThrough(CI, NGINX, false, registryPolicy(IMPORT_CREATE),
                repositoryPolicy(EcrActions.PULL));

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(decision.statement()).isEqualTo("PullThroughDockerHub");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer"})
    void mayPullThrough_crossAccountMissingOneAction_deniedNamingIt(String missing) {
        List<String> registryActions = new ArrayList<>(IMPORT_CREATE);
        List<String> repositoryActions = new ArrayList<>(EcrActions.PULL);
        registryActions.remove(missing);
        repositoryActions.remove(missing);
        registryActions.add(EcrActions.DESCRIBE_IMAGES);
        repositoryActions.add(EcrActions.DESCRIBE_IMAGES);

        Decision decision = AUTHORIZER.mayPullThrough(CI, NGINX, false, registryPolicy(registryActions),
                repositoryPolicy(repositoryActions));

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
        assertThat(decision.action()).isEqualTo(missing);
    }

    @Test
    void mayPullThrough_existingRepository_needsNoCreate() {
        Policy importOnly = registryPolicy(List.of(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE));

        assertThat(AUTHORIZER.mayPullThrough(CI, NGINX, true, importOnly, repositoryPolicy(EcrActions.PULL)).allowed())
                .isTrue();
        assertThat(AUTHORIZER.mayPullThrough(CI, NGINX, false, importOnly, repositoryPolicy(EcrActions.PULL)).action())
                .isEqualTo(EcrActions.CREATE_REPOSITORY);
    }

    @Test
    void mayPullThrough_pullActionsOnlyInRegistryPolicy_denied() {
        List<String> all = List.of(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, EcrActions.CREATE_REPOSITORY,
                EcrActions.BATCH_GET_IMAGE, EcrActions.GET_DOWNLOAD_URL_FOR_LAYER);

        Decision decision = AUTHORIZER.mayPullThrough(CI, NGINX, false, registryPolicy(all), null);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
        assertThat(decision.action()).isEqualTo(EcrActions.BATCH_GET_IMAGE);
    }

    @Test
    void mayImport_outsideTheRegistryPolicysPrefix_denied() {
        Policy registry = registryPolicy(IMPORT_CREATE);

        assertThat(AUTHORIZER.mayImport(CI, NGINX, registry).allowed()).isTrue();
        assertThat(AUTHORIZER.mayImport(CI, "quay/prometheus/prometheus", registry).allowed()).isFalse();
        assertThat(AUTHORIZER.mayCreate(CI, "quay/prometheus/prometheus", registry).allowed()).isFalse();
    }

    @Test
    void mayImport_importAndCreateInRepositoryPolicyOnly_denied() {
        Policy repository = repositoryPolicy(List.of("ecr:*"));

        assertThat(AUTHORIZER.decide(CI, EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, NGINX, null, repository).allowed())
                .isFalse();
        assertThat(AUTHORIZER.decide(CI, EcrActions.CREATE_REPOSITORY, NGINX, null, repository).allowed()).isFalse();
        assertThat(AUTHORIZER.decide(CI, EcrActions.BATCH_GET_IMAGE, NGINX, null, repository).allowed()).isTrue();
    }

    @Test
    void mayPull_denyInRepositoryPolicy_explicitDenyNamingIt() {
        Policy repository = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Everyone\","
                + "\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"},{\"Sid\":\"NoCi\",\"Effect\":\"Deny\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/ci\"},\"Action\":\"ecr:GetDownloadUrlForLayer\"}]}");

        Decision decision = AUTHORIZER.mayPull(CI, NGINX, repository);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(decision.policy()).isEqualTo("repository/dockerhub/library/nginx");
        assertThat(decision.statement()).isEqualTo("NoCi");
        assertThat(decision.action()).isEqualTo(EcrActions.GET_DOWNLOAD_URL_FOR_LAYER);
    }

    @Test
    void decide_ownAccountWithoutPolicies_allowedByTheOwnAccountRule() {
        Principal own = Principal.ofAccount("123456789012").withArn("arn:aws:iam::123456789012:role/builder");

        Decision decision = AUTHORIZER.mayPullThrough(own, NGINX, false, null, null);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(decision.policy()).isNull();
        assertThat(decision.reason()).isEqualTo("allowed to arn:aws:iam::123456789012:role/builder of the registry's "
                + "own account 123456789012: no statement denies it");
    }

    @Test
    void decide_ownAccountExplicitlyDenied_denied() {
        Policy registry = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"NoCreate\","
                + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:CreateRepository\"}}");

        Decision decision = AUTHORIZER.mayCreate(Principal.ofAccount("123456789012"), NGINX, registry);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(decision.statement()).isEqualTo("NoCreate");
    }

    @Test
    void decide_ownAccountWhenPolicyNeeded_implicitDeny() {
        Authorizer strict = new Authorizer(REGISTRY, Authorizer.OwnAccount.NEEDS_POLICY);

        assertThat(strict.mayPull(Principal.ofAccount("123456789012"), NGINX, null).outcome())
                .isEqualTo(Decision.Outcome.IMPLICIT_DENY);
    }

    @Test
    void decide_anonymousOrOtherAccountWithoutPolicies_implicitDeny() {
        assertThat(AUTHORIZER.mayPull(Principal.anonymous(), NGINX, null).outcome())
                .isEqualTo(Decision.Outcome.IMPLICIT_DENY);
        assertThat(AUTHORIZER.mayPull(CI, NGINX, null).outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
    }

    @Test
    void governedByRegistryPolicy_importAndCreateOnly() {
        assertThat(EcrActions.ENFORCED).filteredOn(Authorizer::governedByRegistryPolicy)
                .containsExactlyInAnyOrder(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, EcrActions.CREATE_REPOSITORY);
    }

    @Test
    void decide_lowerCaseActionName_answeredForTheCanonicalName() {
        Decision decision = AUTHORIZER.decide(CI, "ecr:batchgetimage", NGINX, null, repositoryPolicy(EcrActions.PULL));

        assertThat(decision.action()).isEqualTo(EcrActions.BATCH_GET_IMAGE);
        assertThat(decision.allowed()).isTrue();
    }

    @Test
    void registryId_repositoryArn_hasEcrForm() {
        assertThat(REGISTRY.repositoryArn(NGINX))
                .isEqualTo("arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx");
    }
}
