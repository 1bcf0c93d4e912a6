package io.cargohold.coordinator.cli;

/** A ctl command that failed; its message is the one line printed. */
final class CtlException extends RuntimeException {

    CtlException(String message) {
        super(message);
    }
}
