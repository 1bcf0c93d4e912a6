package io.cargohold.lifecycle;

import java.util.Arrays;
import java.util.Optional;

/** Which images a rule looks at by their tags: {@code tagged}, {@code untagged} or {@code any}. */
public enum TagStatus {
    TAGGED("tagged"),
    UNTAGGED("untagged"),
    ANY("any");

    private final String value;

    TagStatus(String value) {
        this.value = value;
    }

    /** The policy text's spelling. */
    public String value() {
        return value;
    }

    public static Optional<TagStatus> fromValue(String value) {
        return Arrays.stream(values()).filter(status -> status.value.equals(value)).findFirst();
    }
}
