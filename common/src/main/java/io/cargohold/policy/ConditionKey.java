package io.cargohold.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A condition key about the principal: {@code cargohold:PrincipalAccount}, {@code cargohold:PrincipalOrgID},
 * {@code cargohold:PrincipalArn} and {@code cargohold:PrincipalTag/<tag key>}. The {@code aws:} spellings are
 * aliases, so migrated ECR policies keep working. Key names compare without regard to case, as in IAM.
 */
public record ConditionKey(String name, Kind kind, String tagKey) {

    public enum Kind {
        ACCOUNT,
        ORG_ID,
        ARN,
        TAG
    }

    private static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{N}\\p{Zs}_.:/=+@-]{1,128}");
    private static final String SUPPORTED = "must be cargohold:PrincipalAccount, cargohold:PrincipalOrgID, "
            + "cargohold:PrincipalArn or cargohold:PrincipalTag/<key> (or their aws: aliases)";

    static ConditionKey parse(String path, String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("cargohold:")) {
            rest = lower.substring("cargohold:".length());
        } else if (lower.startsWith("aws:")) {
            rest = lower.substring("aws:".length());
        } else {
            throw PolicyException.of(path, name, SUPPORTED);
        }
        switch (rest) {
            case "principalaccount":
                return new ConditionKey(name, Kind.ACCOUNT, null);
            case "principalorgid":
                return new ConditionKey(name, Kind.ORG_ID, null);
            case "principalarn":
                return new ConditionKey(name, Kind.ARN, null);
            default:
                break;
        }
        if (rest.startsWith("principaltag/")) {
            String tagKey = name.substring(name.indexOf('/') + 1);
            if (!TAG_KEY.matcher(tagKey).matches()) {
                throw PolicyException.of(path, name, "has no valid tag key after PrincipalTag/ (1 to 128 letters, "
                        + "digits, spaces and _.:/=+-@)");
            }
            return new ConditionKey(name, Kind.TAG, tagKey);
        }
        throw PolicyException.of(path, name, SUPPORTED);
    }

    /** The principal's value for this key, null when it has none. */
    public String valueOf(Principal principal) {
        return switch (kind) {
            case ACCOUNT -> principal.account();
            case ORG_ID -> principal.orgId();
            case ARN -> principal.arn();
            case TAG -> principal.tag(tagKey);
        };
    }
}
