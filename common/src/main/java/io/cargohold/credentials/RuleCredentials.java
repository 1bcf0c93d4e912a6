package io.cargohold.credentials;

import io.cargohold.config.CacheRule;
import io.cargohold.credentials.aws.AwsClients;
import io.cargohold.credentials.aws.EcrAuthorizationTokens;
import io.cargohold.credentials.aws.SecretsManagerSecrets;
import io.cargohold.spi.CredentialsProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the credentials provider of a rule from its {@code credentials} reference:
 * {@code env:NAME}, {@code file:PATH}, literal {@code username:password} and
 * {@code aws-secretsmanager:<arn-or-name>} are read again every {@link #TTL}; {@code aws-ecr}
 * tokens shortly before they expire; all of them at once after the upstream answers 401.
 */
public final class RuleCredentials {

    public static final Duration TTL = Duration.ofMinutes(15);

    private RuleCredentials() {
    }

    /** The rule's provider, with AWS base credentials from the SDK's default chain; anonymous without credentials. */
    public static CredentialsProvider provider(Vertx vertx, CacheRule rule) {
        return rule.credentials() == null ? CredentialsProvider.ANONYMOUS
                : new CachingCredentialsProvider(vertx, source(rule, null, Clock.systemUTC()));
    }

    /**
     * The rule's provider; {@code awsBase} signs AWS calls (null: the SDK's default chain). The
     * rule must have credentials.
     */
    public static CachingCredentialsProvider provider(Vertx vertx, CacheRule rule, AwsCredentialsProvider awsBase,
                                                      Clock clock) {
        return new CachingCredentialsProvider(vertx, source(rule, awsBase, clock), clock);
    }

    /** Where the rule's credentials are read from. */
    public static CredentialsSource source(CacheRule rule, AwsCredentialsProvider awsBase, Clock clock) {
        String reference = rule.credentials();
        if (EcrAuthorizationTokens.REFERENCE.equals(reference)) {
            AwsClients clients = new AwsClients(rule.aws(), AwsClients.regionOfEcrHost(rule.upstreamUri().getHost()),
                    awsBase, rule.customRoleArn(), "cargohold-" + rule.prefix());
            return new EcrAuthorizationTokens(clients, clock);
        }
        if (reference.startsWith(SecretsManagerSecrets.PREFIX)) {
            String secretId = reference.substring(SecretsManagerSecrets.PREFIX.length());
            AwsClients clients = new AwsClients(rule.aws(), AwsClients.regionOfArn(secretId), awsBase,
                    rule.customRoleArn(), "cargohold-" + rule.prefix());
            return new SecretsManagerSecrets(clients, secretId, TTL, clock);
        }
        return new ReferenceSource(reference, System::getenv, TTL, clock);
    }

    /**
     * Reads the credentials of every rule that has some, now, and reports each as one line
     * ({@code rules[i].credentials: ...}); never fails, whatever the sources answer.
     */
    public static Future<List<CredentialsCheck>> validate(Vertx vertx, List<CacheRule> rules,
                                                          AwsCredentialsProvider awsBase) {
        List<Future<CredentialsCheck>> checks = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            CacheRule rule = rules.get(i);
            if (rule.credentials() == null) {
                continue;
            }
            String key = "rules[" + i + "].credentials";
            CachingCredentialsProvider provider;
            try {
                provider = provider(vertx, rule, awsBase, Clock.systemUTC());
            } catch (RuntimeException e) {
                checks.add(Future.succeededFuture(CredentialsCheck.unreadable(key, rule.credentials(), e)));
                continue;
            }
            checks.add(provider.validate(key).eventually(() -> vertx.executeBlocking(() -> {
                provider.close();
                return null;
            })));
        }
        return Future.join(checks).map(all -> checks.stream().map(Future::result).toList());
    }
}
