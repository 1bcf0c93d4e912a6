package io.cargohold.credentials;

import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigException;
import io.cargohold.config.SecretText;
import io.cargohold.credentials.aws.SecretStrings;
import io.cargohold.credentials.aws.SecretsManagerSecrets;

import java.util.Map;

/**
 * Resolves a single secret value of the configuration (an S3 key, say): {@code env:NAME} (the
 * variable's value), {@code file:PATH} (the file's content, without surrounding white space),
 * {@code aws-secretsmanager:ARN_OR_NAME} (a secret of any name), or the value itself. The config loader
 * checks the form; this reads it, the forms other than AWS's through {@link SecretText}.
 */
public final class SecretValue {

    private SecretValue() {
    }

    /** Reads the value now, Secrets Manager with the SDK's default region and endpoint; see below. */
    public static String resolve(String key, String reference, Map<String, String> environment) {
        return resolve(key, reference, environment, CacheRule.Aws.DEFAULT);
    }

    /**
     * Reads the value now; blocking (files, AWS calls), so call it off the event loop. Null stays
     * null. An {@code aws-secretsmanager:} secret holds the value itself, or JSON with a field named
     * as the last part of {@code key} ({@code accessKey} for {@code storage.accessKey}); {@code aws}
     * sets the region and endpoint of Secrets Manager.
     */
    public static String resolve(String key, String reference, Map<String, String> environment, CacheRule.Aws aws) {
        if (reference == null) {
            return null;
        }
        if (reference.startsWith(SecretsManagerSecrets.PREFIX)) {
            try {
                return SecretStrings.read(aws, reference.substring(SecretsManagerSecrets.PREFIX.length()),
                        key.substring(key.lastIndexOf('.') + 1));
            } catch (CredentialsReadException e) {
                throw new ConfigException(key + ": '" + reference + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return SecretText.read(key, reference, environment);
    }
}
