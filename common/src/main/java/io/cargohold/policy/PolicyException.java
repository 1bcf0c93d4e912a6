package io.cargohold.policy;

/**
 * A policy document that cannot be used. The message is one line naming the JSON path, the value and the
 * constraint it breaks, such as {@code Statement[1].Action: 'ecr:PullImage' is not an Amazon ECR action}.
 */
public class PolicyException extends RuntimeException {

    public PolicyException(String message) {
        super(message);
    }

    static PolicyException of(String path, Object value, String constraint) {
        return new PolicyException(path + ": " + (value == null ? "(missing)" : "'" + shorten(value.toString()) + "'")
                + " " + constraint);
    }

    /** Keeps a value quoted in a message short and on one line. */
    public static String shorten(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 80; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.length() < 80 && out.length() >= value.length() ? out.toString() : out + "...";
    }
}
