package io.cargohold.credentials;

/**
 * Whether a rule's credentials can be read now: {@code key} is the configuration key
 * ({@code rules[0].credentials}), {@code message} one line, such as {@code rules[0].credentials:
 * 'aws-secretsmanager:prod/registry' cannot be read: ResourceNotFoundException: Secrets Manager
 * can't find the specified secret.}
 */
public record CredentialsCheck(String key, String reference, boolean readable, String message) {

    static CredentialsCheck readable(String key, String reference) {
        return new CredentialsCheck(key, reference, true, key + ": '" + reference + "' can be read");
    }

    static CredentialsCheck unreadable(String key, String reference, Throwable failure) {
        return new CredentialsCheck(key, reference, false,
                key + ": '" + reference + "' cannot be read: " + CachingCredentialsProvider.describe(failure));
    }
}
