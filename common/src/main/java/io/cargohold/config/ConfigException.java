package io.cargohold.config;

/** A configuration that cannot be used; the message is one line naming the key, the value and the rule. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
