package io.cargohold.policy;

/** What a statement does to the requests it matches. */
public enum Effect {
    ALLOW("Allow"),
    DENY("Deny");

    private final String value;

    Effect(String value) {
        this.value = value;
    }

    /** The spelling used in policy documents. */
    public String value() {
        return value;
    }
}
