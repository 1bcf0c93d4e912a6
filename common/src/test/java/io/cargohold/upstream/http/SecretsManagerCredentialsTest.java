package io.cargohold.upstream.http;

import io.cargohold.config.CacheRule;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.AwsApiServer;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import static io.cargohold.upstream.http.HttpUpstreamClientTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real distribution upstream with htpasswd auth whose password lives in Secrets Manager (the
 * local wire-protocol server), pulled through HttpUpstreamClient; the password is rotated in both.
 */
class SecretsManagerCredentialsTest {

    private static final long MAX = 4 * 1024 * 1024;
    private static final String SECRET = "prod/upstream-pull";

    private static Vertx vertx;
    private static HttpClient http;
    private static AwsApiServer aws;
    private static UpstreamRegistry registry;
    private static TestImages.Image image;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(8));
        aws = AwsApiServer.start(vertx);
        Path layout = Files.createTempDirectory("secrets-manager-layout");
        image = TestImages.writeImage(layout, "single", 21, 1024, 2048);
        registry = UpstreamRegistry.basicAuth("puller", "first-password");
        registry.push(image, "library/app:1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (aws != null) {
            aws.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void pull_passwordRotatedInSecretAndUpstream_401InvalidatesRereadsAndSucceeds() throws Exception {
        aws.putCredentials(SECRET, "puller", "first-password");
        CacheRule rule = new CacheRule("up", registry.url(), null, "aws-secretsmanager:" + SECRET, null, null, null,
                new CacheRule.Aws("us-east-1", aws.endpoint()));
        CachingCredentialsProvider credentials = RuleCredentials.provider(vertx, rule,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIACACHE", "secret")), Clock.systemUTC());
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, URI.create(registry.url()), credentials);

        assertThat(await(client.getManifest("library/app", Tag.parse("1"), MAX)).digest()).isEqualTo(image.digest());
        assertThat(await(client.headManifest("library/app", Tag.parse("1"))).digest()).isEqualTo(image.digest());
        assertThat(reads()).isEqualTo(1);

        aws.putCredentials(SECRET, "puller", "second-password");
        registry.rotateBasicAuth("puller", "second-password");
        long rejectedBefore = rejected();

        assertThat(await(client.getManifest("library/app", Tag.parse("1"), MAX)).digest()).isEqualTo(image.digest());

        assertThat(rejected() - rejectedBefore).as("the old password was rejected once").isEqualTo(1);
        assertThat(reads()).as("the secret was read again after the 401").isEqualTo(2);
        assertThat(registry.accessLog()).last().satisfies(entry -> assertThat(entry.status()).isEqualTo(200));
        credentials.close();
    }

    @Test
    void pull_secretMissing_failsUnavailable502NamingTheSecret() {
        CacheRule rule = new CacheRule("up", registry.url(), null, "aws-secretsmanager:prod/none", null, null, null,
                new CacheRule.Aws("us-east-1", aws.endpoint()));
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, URI.create(registry.url()),
                RuleCredentials.provider(vertx, rule, StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIACACHE", "secret")), Clock.systemUTC()));

        HttpUpstreamClientTest.assertUpstreamFailure(client.getManifest("library/app", Tag.parse("1"), MAX),
                OciErrorCode.UNAVAILABLE, 502, 0, "fetching manifest library/app:1 from " + registry.hostPort()
                        + " failed: credentials aws-secretsmanager:prod/none cannot be read: ResourceNotFoundException: "
                        + "Secrets Manager can't find the specified secret.");
    }

    private static long reads() {
        return aws.requests(AwsApiServer.SECRETS_MANAGER_TARGET).stream()
                .filter(r -> SECRET.equals(r.parameters().get("SecretId"))).count();
    }

    private static long rejected() {
        return registry.accessLog().stream().filter(e -> e.status() == 401).count();
    }
}
