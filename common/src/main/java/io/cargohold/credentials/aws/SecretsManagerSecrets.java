package io.cargohold.credentials.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.credentials.CredentialsReadException;
import io.cargohold.credentials.CredentialsSource;
import io.cargohold.credentials.ExpiringCredentials;
import io.cargohold.spi.Credentials;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Upstream credentials kept in AWS Secrets Manager ({@code aws-secretsmanager:<arn-or-name>}): the
 * secret's string is JSON with {@code username} and {@code password} or {@code accessToken}. Read
 * with {@code GetSecretValue}, kept for a TTL (15 minutes by default).
 */
public final class SecretsManagerSecrets implements CredentialsSource {

    public static final String PREFIX = "aws-secretsmanager:";
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsClients clients;
    private final String secretId;
    private final Duration ttl;
    private final Clock clock;
    private SecretsManagerClient client;

    public SecretsManagerSecrets(AwsClients clients, String secretId, Duration ttl, Clock clock) {
        this.clients = clients;
        this.secretId = secretId;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public ExpiringCredentials read() {
        GetSecretValueResponse response;
        try {
            response = client().getSecretValue(request -> request.secretId(secretId));
        } catch (SdkException e) {
            throw new CredentialsReadException(AwsFailures.describe(e), e);
        }
        if (response.secretString() == null) {
            throw new CredentialsReadException("the secret has no SecretString (binary secrets are not supported)");
        }
        return new ExpiringCredentials(parse(response.secretString()), clock.instant().plus(ttl));
    }

    private static Credentials parse(String secretString) {
        JsonNode json;
        try {
            json = JSON.readTree(secretString);
        } catch (IOException e) {
            json = null;
        }
        String secret = json == null ? null : json.hasNonNull("password") ? json.get("password").asText()
                : json.path("accessToken").asText(null);
        if (json == null || !json.hasNonNull("username") || secret == null) {
            // the secret's content stays out of the message
            throw new CredentialsReadException(
                    "the secret must be JSON with \"username\" and \"password\" or \"accessToken\"");
        }
        return new Credentials(json.get("username").asText(), secret);
    }

    private synchronized SecretsManagerClient client() {
        if (client == null) {
            client = clients.secretsManager();
        }
        return client;
    }

    @Override
    public String reference() {
        return PREFIX + secretId;
    }

    @Override
    public void close() {
        clients.close();
    }
}
