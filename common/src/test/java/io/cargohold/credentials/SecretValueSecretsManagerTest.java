package io.cargohold.credentials;

import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigException;
import io.cargohold.testkit.AwsApiServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code aws-secretsmanager:} values of the configuration (the S3 keys) read from a local server of
 * Secrets Manager's JSON wire protocol, signed with the process's AWS credentials (here the SDK's
 * system properties).
 */
class SecretValueSecretsManagerTest {

    private static Vertx vertx;
    private static AwsApiServer aws;
    private static CacheRule.Aws settings;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        aws = AwsApiServer.start(vertx);
        settings = new CacheRule.Aws("eu-west-1", aws.endpoint());
        System.setProperty("aws.accessKeyId", "AKIACARGOHOLDCONFIG");
        System.setProperty("aws.secretAccessKey", "config-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (aws != null) {
            aws.close();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void resolve_plainSecretOfAnyName_isTheWholeString() {
        aws.putSecret("minio/root-password", "s3cr3t-plain");

        assertThat(SecretValue.resolve("storage.secretKey", "aws-secretsmanager:minio/root-password", Map.of(),
                settings)).isEqualTo("s3cr3t-plain");
        AwsApiServer.Request request = aws.requests(AwsApiServer.SECRETS_MANAGER_TARGET).get(
                aws.requests(AwsApiServer.SECRETS_MANAGER_TARGET).size() - 1);
        assertThat(request.parameters()).containsEntry("SecretId", "minio/root-password");
        assertThat(request.accessKeyId()).isEqualTo("AKIACARGOHOLDCONFIG");
        assertThat(request.region()).isEqualTo("eu-west-1");
    }

    @Test
    void resolve_jsonSecret_takesTheFieldNamedAfterTheKey() {
        String arn = aws.putSecret("s3-keys", "{\"accessKey\":\"AKIA-S3\",\"secretKey\":\"from-json\"}");

        assertThat(SecretValue.resolve("storage.accessKey", "aws-secretsmanager:" + arn, Map.of(), settings))
                .isEqualTo("AKIA-S3");
        assertThat(SecretValue.resolve("storage.secretKey", "aws-secretsmanager:" + arn, Map.of(), settings))
                .isEqualTo("from-json");
    }

    @Test
    void resolve_unknownSecret_oneLineNamingKeyAndReference() {
        assertThatThrownBy(() -> SecretValue.resolve("storage.accessKey", "aws-secretsmanager:prod/missing",
                Map.of(), settings))
                .isInstanceOf(ConfigException.class)
                .hasMessage("storage.accessKey: 'aws-secretsmanager:prod/missing' cannot be read: "
                        + "ResourceNotFoundException: Secrets Manager can't find the specified secret.");
    }
}
