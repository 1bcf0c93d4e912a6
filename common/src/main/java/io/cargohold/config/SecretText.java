package io.cargohold.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A reference to a single secret value of the configuration (an S3 key, a token key, a PEM public key):
 * {@code env:NAME}, {@code file:PATH}, {@code aws-secretsmanager:ARN_OR_NAME} or the value itself. The config
 * checks the form and reads the forms that need no AWS call; {@code io.cargohold.credentials.SecretValue}
 * reads them all.
 */
public final class SecretText {

    private SecretText() {
    }

    /** Checks the form of a reference, {@code aws-secretsmanager:} ones included. */
    static void validate(String key, String reference) {
        if (reference.isBlank()) {
            ConfigValidator.fail(key, reference, "must not be empty");
        }
        if (reference.startsWith("env:") && !reference.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            ConfigValidator.fail(key, reference, "env: needs a variable name such as env:S3_ACCESS_KEY");
        }
        if (reference.startsWith(SecretReference.AWS_SECRETS_MANAGER)
                && reference.substring(SecretReference.AWS_SECRETS_MANAGER.length()).isBlank()) {
            ConfigValidator.fail(key, reference, "must name a secret: aws-secretsmanager:ARN_OR_NAME");
        }
    }

    /**
     * Reads an {@code env:}, {@code file:} or literal reference now; blocking (files). The value of a file is its
     * content without surrounding white space.
     */
    public static String read(String key, String reference, Map<String, String> environment) {
        if (reference.startsWith("env:")) {
            String value = environment.get(reference.substring(4));
            if (value == null) {
                throw new ConfigException(key + ": '" + reference + "' names an unset environment variable");
            }
            return value;
        }
        if (reference.startsWith("file:")) {
            try {
                return Files.readString(Path.of(reference.substring(5))).strip();
            } catch (IOException e) {
                throw new ConfigException(key + ": '" + reference + "' cannot be read: " + e.getMessage(), e);
            }
        }
        return reference;
    }
}
