package io.cargohold.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Policies in the shapes of the Amazon ECR User Guide's examples ("Private repository policy examples",
 * "Private registry permissions" for pull through cache and replication), with their documented meaning; the
 * organization example uses the {@code aws:PrincipalOrgID} key as AWS resource policies commonly do. Account IDs are
 * the guide's placeholders made concrete: the registry is 123456789012, others 111122223333 and 444455556666.
 */
class PolicyGoldenExamplesTest {

    static final RegistryId REGISTRY = RegistryId.of("us-east-1", "123456789012");
    static final Authorizer AUTHORIZER = new Authorizer(REGISTRY, Authorizer.OwnAccount.NEEDS_POLICY);

    static Principal user(String account, String name) {
        return new Principal(account, null, "arn:aws:iam::" + account + ":user/" + name, null);
    }

    @Test
    void repositoryPolicy_usersOfYourAccountPushAndPull_onlyThoseUsersPull() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2008-10-17",
                  "Statement": [{
                    "Sid": "AllowPushPull",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::123456789012:user/push-pull-user-1",
                                          "arn:aws:iam::123456789012:user/push-pull-user-2"]},
                    "Action": ["ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload",
                               "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                               "ecr:UploadLayerPart"]
                  }]
                }""");

        assertThat(AUTHORIZER.mayPull(user("123456789012", "push-pull-user-1"), "app", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.mayPull(user("123456789012", "push-pull-user-2"), "app", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.mayPull(user("123456789012", "someone-else"), "app", policy).allowed()).isFalse();
    }

    @Test
    void repositoryPolicy_otherAccountPushes_cannotPullWithoutBatchGetImage() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2008-10-17",
                  "Statement": [{
                    "Sid": "AllowCrossAccountPush",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer",
                               "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]
                  }]
                }""");

        Decision pull = AUTHORIZER.mayPull(user("111122223333", "anyone"), "app", policy);

        assertThat(pull.outcome()).isEqualTo(Decision.Outcome.IMPLICIT_DENY);
        assertThat(pull.action()).isEqualTo(EcrActions.BATCH_GET_IMAGE);
        assertThat(AUTHORIZER.decide(user("111122223333", "anyone"), EcrActions.GET_DOWNLOAD_URL_FOR_LAYER, "app",
                null, policy).allowed()).isTrue();
    }

    @Test
    void repositoryPolicy_everyAccountPulls_anyonePulls() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2008-10-17",
                  "Statement": [{
                    "Sid": "AllowPull",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
                  }]
                }""");

        assertThat(AUTHORIZER.mayPull(user("444455556666", "x"), "app", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.mayPull(Principal.anonymous(), "app", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.decide(user("444455556666", "x"), EcrActions.LIST_IMAGES, "app", null, policy).allowed())
                .isFalse();
    }

    @Test
    void repositoryPolicy_pullUsersAndAdmin_adminDoesEverythingUsersOnlyPull() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2008-10-17",
                  "Statement": [{
                    "Sid": "AllowPull",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::123456789012:user/pull-user-1",
                                          "arn:aws:iam::123456789012:user/pull-user-2"]},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
                  }, {
                    "Sid": "AllowAll",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:user/admin-user"},
                    "Action": ["ecr:*"]
                  }]
                }""");

        Principal admin = user("123456789012", "admin-user");
        Principal puller = user("123456789012", "pull-user-2");
        assertThat(AUTHORIZER.mayPull(puller, "app", policy).statement()).isEqualTo("AllowPull");
        assertThat(AUTHORIZER.decide(puller, EcrActions.DESCRIBE_IMAGES, "app", null, policy).allowed()).isFalse();
        assertThat(AUTHORIZER.mayPull(admin, "app", policy).statement()).isEqualTo("AllowAll");
        assertThat(AUTHORIZER.decide(admin, EcrActions.LIST_IMAGES, "app", null, policy).allowed()).isTrue();
    }

    @Test
    void repositoryPolicy_denyAll_deniesEvenTheOwnAccount() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2008-10-17",
                  "Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Principal": "*", "Action": ["ecr:*"]}]
                }""");
        Authorizer lenient = new Authorizer(REGISTRY, Authorizer.OwnAccount.ALLOWED_UNLESS_DENIED);

        Decision decision = lenient.mayPull(Principal.ofAccount("123456789012"), "app", policy);

        assertThat(decision.outcome()).isEqualTo(Decision.Outcome.EXPLICIT_DENY);
        assertThat(decision.statement()).isEqualTo("DenyAll");
    }

    @Test
    void repositoryPolicy_pullForYourOrganization_membersOnly() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2012-10-17",
                  "Statement": [{
                    "Sid": "AllowOrganizationPull",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}
                  }]
                }""");

        assertThat(AUTHORIZER.mayPull(user("444455556666", "x").withOrgId("o-a1b2c3d4e5"), "app", policy).allowed())
                .isTrue();
        assertThat(AUTHORIZER.mayPull(user("444455556666", "x").withOrgId("o-other"), "app", policy).allowed())
                .isFalse();
        assertThat(AUTHORIZER.mayPull(user("444455556666", "x"), "app", policy).allowed()).isFalse();
        assertThat(AUTHORIZER.mayPull(Principal.anonymous(), "app", policy).allowed()).isFalse();
    }

    @Test
    void registryPolicy_pullThroughCacheForARole_importsAndCreatesUnderItsNamespaceOnly() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2012-10-17",
                  "Statement": [{
                    "Sid": "PullThroughCacheFromReadOnlyRole",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:role/example-role"},
                    "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                    "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/ecr-public/*"
                  }]
                }""");
        Principal role = new Principal("123456789012", null, "arn:aws:iam::123456789012:role/example-role", null);

        assertThat(AUTHORIZER.mayImport(role, "ecr-public/amazonlinux/amazonlinux", policy).statement())
                .isEqualTo("PullThroughCacheFromReadOnlyRole");
        assertThat(AUTHORIZER.mayCreate(role, "ecr-public/amazonlinux/amazonlinux", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.mayImport(role, "dockerhub/library/nginx", policy).allowed()).isFalse();
        assertThat(AUTHORIZER.mayImport(user("123456789012", "other"), "ecr-public/amazonlinux/amazonlinux", policy)
                .allowed()).isFalse();
    }

    @Test
    void registryPolicy_crossAccountReplication_parsesButGrantsNoImport() {
        Policy policy = Policy.parse("""
                {
                  "Version": "2012-10-17",
                  "Statement": [{
                    "Sid": "ReplicationAccessCrossAccount",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                    "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/*"
                  }]
                }""");
        Principal source = user("444455556666", "replicator");

        assertThat(AUTHORIZER.mayCreate(source, "anything", policy).allowed()).isTrue();
        assertThat(AUTHORIZER.mayImport(source, "anything", policy).allowed()).isFalse();
    }

    @Test
    void registryPolicy_wildcardActionAndResource_coversEveryEnforcedAction() {
        Policy policy = Policy.parse("""
                {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*",
                                "Resource": "*"}]}""");

        for (String action : List.of(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, EcrActions.CREATE_REPOSITORY)) {
            assertThat(AUTHORIZER.decide(user("111122223333", "x"), action, "a/b", policy, null).allowed()).isTrue();
        }
    }
}
