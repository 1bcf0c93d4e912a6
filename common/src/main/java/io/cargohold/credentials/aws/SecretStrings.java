package io.cargohold.credentials.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.config.CacheRule;
import io.cargohold.credentials.CredentialsReadException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

import java.io.IOException;

/**
 * Reads one secret value of the configuration (an S3 key, say) from AWS Secrets Manager, with the
 * process's AWS credentials: the secret's whole string, or, when that is a JSON object with a
 * field named {@code field}, that field (one secret can then hold {@code accessKey} and
 * {@code secretKey}).
 */
public final class SecretStrings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SecretStrings() {
    }

    /** Blocking: call it off the event loop. */
    public static String read(CacheRule.Aws settings, String secretId, String field) {
        try (AwsClients clients = new AwsClients(settings, AwsClients.regionOfArn(secretId), null, null,
                "cargohold-config")) {
            GetSecretValueResponse response = clients.secretsManager()
                    .getSecretValue(request -> request.secretId(secretId));
            if (response.secretString() == null) {
                throw new CredentialsReadException("the secret has no SecretString (binary secrets are not supported)");
            }
            return select(response.secretString(), field);
        } catch (SdkException e) {
            throw new CredentialsReadException(AwsFailures.describe(e), e);
        }
    }

    private static String select(String secretString, String field) {
        try {
            JsonNode json = JSON.readTree(secretString);
            if (json != null && json.isObject() && json.path(field).isTextual()) {
                return json.get(field).asText();
            }
        } catch (IOException notJson) {
            // a plain secret: the whole string is the value
        }
        return secretString;
    }
}
