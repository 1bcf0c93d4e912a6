package io.cargohold.credentials.aws;

import io.cargohold.config.CacheRule;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.CredentialsCheck;
import io.cargohold.credentials.CredentialsReadException;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.spi.Credentials;
import io.cargohold.testkit.AwsApiServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Secrets Manager, ECR and STS sources against {@link AwsApiServer}, a local server of their wire
 * protocols, reached through the SDK's endpointOverride.
 */
class AwsCredentialSourcesTest {

    private static final String BASE_KEY = "AKIACACHEBASE0000001";
    private static final String ROLE = "arn:aws:iam::222233334444:role/puller";
    private static final AwsApiServer.Session SESSION = new AwsApiServer.Session("ASIAPULLERSESSION001",
            "session-secret", "FwoGZXIvYXdzEPULLERSESSIONTOKEN", Instant.now().plus(Duration.ofHours(1))
            .truncatedTo(ChronoUnit.SECONDS));

    private static Vertx vertx;
    private static AwsApiServer aws;

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        aws = AwsApiServer.start(vertx);
        aws.role(ROLE, SESSION);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (aws != null) {
            aws.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void secretsManager_byName_readsUsernameAndPasswordThroughGetSecretValue() throws Exception {
        aws.putCredentials("team/registry-pull", "robot", "pa55");
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:team/registry-pull", null),
                new TestClock());

        assertThat(await(provider.credentials())).contains(new Credentials("robot", "pa55"));

        AwsApiServer.Request request = last(AwsApiServer.SECRETS_MANAGER_TARGET);
        assertThat(request.parameters()).containsEntry("SecretId", "team/registry-pull");
        assertThat(request.contentType()).isEqualTo("application/x-amz-json-1.1");
        assertThat(request.accessKeyId()).isEqualTo(BASE_KEY);
        assertThat(request.signingService()).isEqualTo("secretsmanager");
        assertThat(request.region()).isEqualTo("us-east-1");
        assertThat(request.securityToken()).isNull();
        provider.close();
    }

    @Test
    void secretsManager_byArnWithAnyName_acceptsAccessTokenField() throws Exception {
        String arn = aws.putSecret("any-name", "{\"username\":\"bot\",\"accessToken\":\"ghp_token\"}");
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:" + arn, null), new TestClock());

        assertThat(await(provider.credentials())).contains(new Credentials("bot", "ghp_token"));
        assertThat(last(AwsApiServer.SECRETS_MANAGER_TARGET).parameters()).containsEntry("SecretId", arn);
        provider.close();
    }

    @Test
    void secretsManager_cached_readAgainAfterTtlOrInvalidate() throws Exception {
        aws.putCredentials("cached", "robot", "one");
        TestClock clock = new TestClock();
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:cached", null), clock);
        int before = reads("cached");

        await(provider.credentials());
        await(provider.credentials());
        assertThat(reads("cached") - before).isEqualTo(1);

        aws.putCredentials("cached", "robot", "two");
        clock.advance(RuleCredentials.TTL.minusSeconds(1));
        assertThat(await(provider.credentials())).contains(new Credentials("robot", "one"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(await(provider.credentials())).contains(new Credentials("robot", "two"));
        assertThat(reads("cached") - before).isEqualTo(2);

        aws.putCredentials("cached", "robot", "three");
        provider.invalidate();
        assertThat(await(provider.credentials())).contains(new Credentials("robot", "three"));
        assertThat(reads("cached") - before).isEqualTo(3);
        provider.close();
    }

    @Test
    void secretsManager_unknownSecret_validateReportsOneClearLine() throws Exception {
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:prod/missing", null), new TestClock());

        CredentialsCheck check = await(provider.validate("rules[0].credentials"));

        assertThat(check.readable()).isFalse();
        assertThat(check.message()).isEqualTo("rules[0].credentials: 'aws-secretsmanager:prod/missing' cannot be "
                + "read: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
        assertThatThrownBy(() -> await(provider.credentials())).isInstanceOf(CredentialsReadException.class)
                .hasMessage("credentials aws-secretsmanager:prod/missing cannot be read: ResourceNotFoundException: "
                        + "Secrets Manager can't find the specified secret.");
        provider.close();
    }

    @Test
    void secretsManager_notCredentialsJson_failsWithoutShowingTheSecret() throws Exception {
        aws.putSecret("plain", "hunter2-plain-secret");
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:plain", null), new TestClock());

        CredentialsCheck check = await(provider.validate("rules[3].credentials"));

        assertThat(check.message()).isEqualTo("rules[3].credentials: 'aws-secretsmanager:plain' cannot be read: "
                + "the secret must be JSON with \"username\" and \"password\" or \"accessToken\"")
                .doesNotContain("hunter2");
        provider.close();
    }

    @Test
    void secretsManager_customRoleArn_readWithTheAssumedRolesSession() throws Exception {
        aws.putCredentials("cross-account", "robot", "x");
        CachingCredentialsProvider provider = provider(rule("aws-secretsmanager:cross-account", ROLE), new TestClock());

        assertThat(await(provider.credentials())).contains(new Credentials("robot", "x"));

        AwsApiServer.Request read = last(AwsApiServer.SECRETS_MANAGER_TARGET);
        assertThat(read.accessKeyId()).isEqualTo(SESSION.accessKeyId());
        assertThat(read.securityToken()).isEqualTo(SESSION.sessionToken());
        provider.close();
    }

    @Test
    void ecr_authorizationToken_decodedAsAwsUserAndRefetchedBeforeExpiry() throws Exception {
        TestClock clock = new TestClock();
        Instant expiresAt = clock.instant().plus(Duration.ofHours(12)).truncatedTo(ChronoUnit.SECONDS);
        aws.ecrPassword("ecr-password-1", expiresAt);
        CachingCredentialsProvider provider = provider(rule("aws-ecr", null), clock);
        int before = aws.requests(AwsApiServer.ECR_TARGET).size();

        assertThat(await(provider.credentials())).contains(new Credentials("AWS", "ecr-password-1"));
        AwsApiServer.Request request = last(AwsApiServer.ECR_TARGET);
        assertThat(request.contentType()).isEqualTo("application/x-amz-json-1.1");
        assertThat(request.signingService()).isEqualTo("ecr");
        assertThat(request.accessKeyId()).isEqualTo(BASE_KEY);
        assertThat(request.parameters()).doesNotContainKey("registryIds");

        aws.ecrPassword("ecr-password-2", expiresAt.plus(Duration.ofHours(12)));
        clock.set(expiresAt.minus(EcrAuthorizationTokens.MARGIN).minusSeconds(1));
        assertThat(await(provider.credentials())).contains(new Credentials("AWS", "ecr-password-1"));
        clock.set(expiresAt.minus(EcrAuthorizationTokens.MARGIN));
        assertThat(await(provider.credentials())).contains(new Credentials("AWS", "ecr-password-2"));
        assertThat(aws.requests(AwsApiServer.ECR_TARGET).size() - before).isEqualTo(2);
        provider.close();
    }

    @Test
    void ecr_customRoleArn_assumesRoleThenSignsGetAuthorizationTokenWithTheSession() throws Exception {
        aws.ecrPassword("cross-account-password", Instant.now().plus(Duration.ofHours(12)));
        int assumedBefore = aws.requests("sts.AssumeRole").size();
        CachingCredentialsProvider provider = provider(rule("aws-ecr", ROLE), new TestClock());

        assertThat(await(provider.credentials())).contains(new Credentials("AWS", "cross-account-password"));

        List<AwsApiServer.Request> assumed = aws.requests("sts.AssumeRole");
        assertThat(assumed).hasSize(assumedBefore + 1);
        AwsApiServer.Request assumeRole = assumed.get(assumed.size() - 1);
        assertThat(assumeRole.parameters()).containsEntry("Action", "AssumeRole")
                .containsEntry("Version", "2011-06-15")
                .containsEntry("RoleArn", ROLE)
                .containsEntry("RoleSessionName", "cargohold-ecr");
        assertThat(assumeRole.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(assumeRole.accessKeyId()).isEqualTo(BASE_KEY);
        assertThat(assumeRole.signingService()).isEqualTo("sts");

        AwsApiServer.Request token = last(AwsApiServer.ECR_TARGET);
        assertThat(token.accessKeyId()).isEqualTo(SESSION.accessKeyId());
        assertThat(token.securityToken()).isEqualTo(SESSION.sessionToken());
        provider.close();
    }

    @Test
    void ecr_roleNotAssumable_validateReportsAccessDenied() throws Exception {
        String denied = "arn:aws:iam::999988887777:role/not-trusted";
        CachingCredentialsProvider provider = provider(rule("aws-ecr", denied), new TestClock());

        CredentialsCheck check = await(provider.validate("rules[1].credentials"));

        assertThat(check.readable()).isFalse();
        assertThat(check.message()).startsWith("rules[1].credentials: 'aws-ecr' cannot be read: AccessDenied: ")
                .contains("sts:AssumeRole on resource: " + denied).doesNotContain("\n");
        provider.close();
    }

    @Test
    void validate_everyRuleWithCredentials_oneCheckEachNamingTheRule() throws Exception {
        aws.putCredentials("fine", "robot", "ok");
        List<CacheRule> rules = List.of(CacheRule.of("anonymous", "https://r.example"),
                rule("aws-secretsmanager:fine", null), rule("aws-secretsmanager:gone", null));

        List<CredentialsCheck> checks = await(RuleCredentials.validate(vertx, rules, base()));

        assertThat(checks).extracting(CredentialsCheck::key)
                .containsExactly("rules[1].credentials", "rules[2].credentials");
        assertThat(checks).extracting(CredentialsCheck::readable).containsExactly(true, false);
        assertThat(checks.get(1).message()).contains("'aws-secretsmanager:gone' cannot be read: "
                + "ResourceNotFoundException");
    }

    @Test
    void refreshAt_shortLivedToken_halfItsLifetime() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(EcrAuthorizationTokens.refreshAt(now, now.plus(Duration.ofHours(12))))
                .isEqualTo(now.plus(Duration.ofHours(12)).minus(EcrAuthorizationTokens.MARGIN));
        assertThat(EcrAuthorizationTokens.refreshAt(now, now.plus(Duration.ofMinutes(10))))
                .isEqualTo(now.plus(Duration.ofMinutes(5)));
        assertThat(AwsClients.regionOfEcrHost("222233334444.dkr.ecr.eu-west-1.amazonaws.com")).isEqualTo("eu-west-1");
        assertThat(AwsClients.regionOfArn("arn:aws:secretsmanager:ap-south-1:123456789012:secret:x"))
                .isEqualTo("ap-south-1");
        assertThat(AssumedRoleCredentials.sessionName("cargohold-team/ecr")).isEqualTo("cargohold-team-ecr");
    }

    private static CacheRule rule(String credentials, String customRoleArn) {
        String prefix = credentials.equals("aws-ecr") ? "ecr" : "private";
        return new CacheRule(prefix, "https://registry.example.com", null, credentials, null, null, customRoleArn,
                new CacheRule.Aws("us-east-1", aws.endpoint()));
    }

    private static CachingCredentialsProvider provider(CacheRule rule, Clock clock) {
        return RuleCredentials.provider(vertx, rule, base(), clock);
    }

    private static StaticCredentialsProvider base() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(BASE_KEY, "base-secret"));
    }

    private static AwsApiServer.Request last(String operation) {
        List<AwsApiServer.Request> requests = aws.requests(operation);
        assertThat(requests).isNotEmpty();
        return requests.get(requests.size() - 1);
    }

    private static int reads(String secretId) {
        return (int) aws.requests(AwsApiServer.SECRETS_MANAGER_TARGET).stream()
                .filter(r -> secretId.equals(r.parameters().get("SecretId"))).count();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.await(30, TimeUnit.SECONDS);
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
