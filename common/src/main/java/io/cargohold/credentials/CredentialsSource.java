package io.cargohold.credentials;

/**
 * Where a rule's upstream credentials are read from: an environment variable, a file, a Secrets
 * Manager secret, an ECR authorization token. Reads block (files, AWS SDK calls): callers run
 * them on a worker thread.
 */
public interface CredentialsSource extends AutoCloseable {

    /**
     * Reads the credentials now.
     *
     * @throws CredentialsReadException with one line saying why they cannot be read
     */
    ExpiringCredentials read();

    /** The reference as configured, for messages: {@code aws-secretsmanager:prod/registry}. */
    String reference();

    @Override
    default void close() {
    }
}
