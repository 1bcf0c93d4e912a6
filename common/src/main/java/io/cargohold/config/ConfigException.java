package io.cargohold.config;

/** A configuration that cannot be used; the message is one line naming the key, the value and the rule. */
public class ConfigException extends RuntimeException {

    private final String key;
    private final String value;
    private final String constraint;

    public ConfigException(String message) {
        this(message, (Throwable) null);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.key = null;
        this.value = null;
        this.constraint = message;
    }

    /** A value that broke a rule: the message is {@code key: 'value' constraint}. */
    public ConfigException(String key, Object value, String constraint) {
        super(key + ": " + (value == null ? "(missing)" : "'" + value + "'") + " " + constraint);
        this.key = key;
        this.value = value == null ? null : value.toString();
        this.constraint = constraint;
    }

    /** The key that broke a rule ({@code rules[0].prefix}), or null when the problem has no single key. */
    public String key() {
        return key;
    }

    /** The offending value as written, or null when it was missing. */
    public String value() {
        return value;
    }

    /** The rule the value broke ({@code must match ...}), or the whole message when there is no key. */
    public String constraint() {
        return constraint;
    }
}
