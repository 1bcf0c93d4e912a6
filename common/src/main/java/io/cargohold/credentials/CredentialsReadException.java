package io.cargohold.credentials;

/** Credentials that cannot be read now; the message is one line: {@code ResourceNotFoundException: ...}. */
public class CredentialsReadException extends RuntimeException {

    public CredentialsReadException(String message) {
        super(message);
    }

    public CredentialsReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
