package io.cargohold.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.spi.Credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves a credentials reference: {@code env:NAME} (NAME_USERNAME and NAME_PASSWORD),
 * {@code file:PATH} (JSON with {@code username} and {@code password} or {@code accessToken}),
 * or a literal {@code username:password}. The AWS forms, {@code aws-secretsmanager:<arn-or-name>}
 * and {@code aws-ecr}, are checked here and read by {@code io.cargohold.credentials.aws}.
 */
public final class SecretReference {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SecretReference() {
    }

    public static final String AWS_SECRETS_MANAGER = "aws-secretsmanager:";
    public static final String AWS_ECR = "aws-ecr";
    private static final String FORMS = "must be env:NAME, file:PATH, aws-secretsmanager:ARN_OR_NAME, aws-ecr "
            + "or username:password";
    private static final Pattern SECRET_ARN =
            Pattern.compile("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");

    static void validate(String key, String reference) {
        if (reference.isBlank()) {
            ConfigValidator.fail(key, reference, FORMS);
        }
        if (reference.startsWith("env:") && !reference.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            ConfigValidator.fail(key, reference, "env: needs a variable name such as env:DOCKERHUB");
        }
        if (reference.startsWith(AWS_SECRETS_MANAGER)) {
            String id = reference.substring(AWS_SECRETS_MANAGER.length());
            if (id.startsWith("arn:") ? !SECRET_ARN.matcher(id).matches() : !SECRET_NAME.matcher(id).matches()) {
                ConfigValidator.fail(key, reference, "must name a secret: aws-secretsmanager:NAME or "
                        + "aws-secretsmanager:arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME");
            }
        }
        if (!isAws(reference) && !reference.startsWith("env:") && !reference.startsWith("file:")
                && !reference.contains(":")) {
            ConfigValidator.fail(key, reference, FORMS);
        }
    }

    /** Whether the reference is read through AWS ({@code aws-secretsmanager:} or {@code aws-ecr}). */
    public static boolean isAws(String reference) {
        return reference != null && (reference.equals(AWS_ECR) || reference.startsWith(AWS_SECRETS_MANAGER));
    }

    /** Reads the credentials now; blocking (files), so call it off the event loop. */
    public static Credentials resolve(String reference, Map<String, String> environment) {
        if (isAws(reference)) {
            throw new IllegalArgumentException(reference + " is read by io.cargohold.credentials.aws");
        }
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
