package io.cargohold.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves a single secret value of the configuration (an S3 key, say): {@code env:NAME} (the
 * variable's value), {@code file:PATH} (the file's content, without surrounding white space), or
 * the value itself.
 */
public final class SecretValue {

    private SecretValue() {
    }

    static void validate(String key, String reference) {
        if (reference.isBlank()) {
            ConfigValidator.fail(key, reference, "must not be empty");
        }
        if (reference.startsWith("env:") && !reference.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            ConfigValidator.fail(key, reference, "env: needs a variable name such as env:S3_ACCESS_KEY");
        }
        if (reference.startsWith("aws-secretsmanager:")) {
            ConfigValidator.fail(key, reference, "aws-secretsmanager references are supported in rules[].credentials only");
        }
    }

    /** Reads the value now; blocking (files), so call it off the event loop. Null stays null. */
    public static String resolve(String key, String reference, Map<String, String> environment) {
        if (reference == null) {
            return null;
        }
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
