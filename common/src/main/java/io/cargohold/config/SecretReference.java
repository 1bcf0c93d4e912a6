package io.cargohold.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.spi.Credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves a credentials reference: {@code env:NAME} (NAME_USERNAME and NAME_PASSWORD),
 * {@code file:PATH} (JSON with {@code username} and {@code password} or {@code accessToken}),
 * or a literal {@code username:password}.
 */
public final class SecretReference {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SecretReference() {
    }

    static void validate(String key, String reference) {
        if (reference.isBlank()) {
            ConfigValidator.fail(key, reference, "must be env:NAME, file:PATH or username:password");
        }
        if (reference.startsWith("env:") && !reference.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            ConfigValidator.fail(key, reference, "env: needs a variable name such as env:DOCKERHUB");
        }
        if (reference.startsWith("aws-secretsmanager:")) {
            ConfigValidator.fail(key, reference, "aws-secretsmanager references are not supported by this build yet");
        }
        if (!reference.startsWith("env:") && !reference.startsWith("file:") && !reference.contains(":")) {
            ConfigValidator.fail(key, reference, "must be env:NAME, file:PATH or username:password");
        }
    }

    /** Reads the credentials now; blocking (files), so call it off the event loop. */
    public static Credentials resolve(String reference, Map<String, String> environment) {
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            String username = environment.get(name + "_USERNAME");
            String password = environment.get(name + "_PASSWORD");
            if (username == null || password == null) {
                throw new ConfigException("credentials " + reference + ": set " + name + "_USERNAME and "
                        + name + "_PASSWORD");
            }
            return new Credentials(username, password);
        }
        if (reference.startsWith("file:")) {
            return fromFile(Path.of(reference.substring(5)), reference);
        }
        int colon = reference.indexOf(':');
        return new Credentials(reference.substring(0, colon), reference.substring(colon + 1));
    }

    private static Credentials fromFile(Path file, String reference) {
        try {
            JsonNode json = JSON.readTree(Files.readAllBytes(file));
            String secret = json.hasNonNull("password") ? json.get("password").asText()
                    : json.path("accessToken").asText(null);
            if (!json.hasNonNull("username") || secret == null) {
                throw new ConfigException("credentials " + reference
                        + ": the file needs \"username\" and \"password\" or \"accessToken\"");
            }
            return new Credentials(json.get("username").asText(), secret);
        } catch (IOException e) {
            throw new ConfigException("credentials " + reference + ": cannot read: " + e.getMessage(), e);
        }
    }
}
