package io.cargohold.signature;

/** A signature document that cannot be read; it fails verification with this message as the reason. */
public final class MalformedSignatureException extends RuntimeException {

    public MalformedSignatureException(String message) {
        super(message, null, false, false);
    }
}
