package io.cargohold.credentials.aws;

import io.cargohold.config.CacheRule;
import io.cargohold.credentials.CredentialsReadException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS SDK clients of one rule, built on first use (on a worker thread): region and endpoint
 * from the rule's {@code aws} settings, base credentials from the SDK's default chain (environment,
 * profile, container or instance metadata) unless given, and, with a {@code customRoleArn}, the
 * role's session credentials from STS {@code AssumeRole} for every other call.
 */
public final class AwsClients implements AutoCloseable {

    private static final Pattern ARN_REGION = Pattern.compile("arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):.*");
    private static final Pattern ECR_HOST = Pattern.compile("[0-9]{12}\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final String regionName;
    private final URI endpointOverride;
    private final AwsCredentialsProvider base;
    private final String customRoleArn;
    private final String sessionName;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private AwsCredentialsProvider credentials;
    private Region region;
    private SdkHttpClient http;

    /**
     * @param regionHint region to use when the settings name none: from a secret's ARN or an ECR
     *                   host name; null leaves it to the SDK's default region chain
     * @param base       the caller's credentials; null for the SDK's default chain
     */
    public AwsClients(CacheRule.Aws settings, String regionHint, AwsCredentialsProvider base, String customRoleArn,
                      String sessionName) {
        this.regionName = settings.region() != null ? settings.region() : regionHint;
        this.endpointOverride = settings.endpointOverride() == null ? null : URI.create(settings.endpointOverride());
        this.base = base;
        this.customRoleArn = customRoleArn;
        this.sessionName = sessionName;
    }

    /** The region in an ARN such as {@code arn:aws:secretsmanager:eu-west-1:123456789012:secret:x}. */
    public static String regionOfArn(String arn) {
        Matcher matcher = ARN_REGION.matcher(arn);
        return matcher.matches() && !matcher.group(1).isEmpty() ? matcher.group(1) : null;
    }

    /** The region in an ECR registry host such as {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com}. */
    public static String regionOfEcrHost(String host) {
        Matcher matcher = host == null ? null : ECR_HOST.matcher(host);
        return matcher != null && matcher.matches() ? matcher.group(1) : null;
    }

    /** A Secrets Manager client, closed with these clients. */
    public synchronized SecretsManagerClient secretsManager() {
        return track(builder(SecretsManagerClient.builder()).credentialsProvider(credentials()).build());
    }

    /** An ECR client, closed with these clients. */
    public synchronized EcrClient ecr() {
        return track(builder(EcrClient.builder()).credentialsProvider(credentials()).build());
    }

    /** The credentials the service calls are signed with: the assumed role's, or the base ones. */
    synchronized AwsCredentialsProvider credentials() {
        if (credentials == null) {
            AwsCredentialsProvider caller = base != null ? base : track(DefaultCredentialsProvider.builder().build());
            credentials = customRoleArn == null ? caller : track(AssumedRoleCredentials.of(
                    track(builder(StsClient.builder()).credentialsProvider(caller).build()), customRoleArn, sessionName));
        }
        return credentials;
    }

    private <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B builder(B builder) {
        builder.region(region());
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        if (http == null) {
            http = track(UrlConnectionHttpClient.builder().connectionTimeout(TIMEOUT).socketTimeout(TIMEOUT).build());
        }
        return builder.httpClient(http);
    }

    private Region region() {
        if (region == null) {
            if (regionName != null) {
                region = Region.of(regionName);
            } else {
                try {
                    region = new DefaultAwsRegionProviderChain().getRegion();
                } catch (SdkException e) {
                    throw new CredentialsReadException("no AWS region: set the rule's aws.region or AWS_REGION");
                }
            }
        }
        return region;
    }

    private <T> T track(T resource) {
        if (resource instanceof AutoCloseable closeable) {
            toClose.push(closeable);
        }
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception ignored) {
                // closing SDK clients does not fail in ways that matter at shut-down
            }
        }
    }
}
