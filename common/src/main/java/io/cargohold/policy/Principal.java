package io.cargohold.policy;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Who makes a request, as the edge authenticated it: the account, the organization, the IAM-style ARN of the
 * identity ({@code arn:aws:iam::123456789012:role/ci}) and its tags. Only {@code account} is required;
 * {@link #anonymous()} has none and matches only {@code "Principal": "*"}.
 */
public record Principal(String account, String orgId, String arn, Map<String, String> tags) {

    static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");

    public Principal {
        if (account != null && !ACCOUNT.matcher(account).matches()) {
            throw PolicyException.of("principal.account", account, "must be a 12-digit account ID");
        }
        TreeMap<String, String> byKey = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byKey.putAll(tags == null ? Map.of() : tags);
        tags = Collections.unmodifiableMap(byKey);
    }

    public static Principal ofAccount(String account) {
        return new Principal(account, null, "arn:aws:iam::" + account + ":root", Map.of());
    }

    public static Principal anonymous() {
        return new Principal(null, null, null, Map.of());
    }

    public Principal withOrgId(String orgId) {
        return new Principal(account, orgId, arn, tags);
    }

    public Principal withArn(String arn) {
        return new Principal(account, orgId, arn, tags);
    }

    public Principal withTag(String key, String value) {
        TreeMap<String, String> more = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        more.putAll(tags);
        more.put(key, value);
        return new Principal(account, orgId, arn, more);
    }

    public boolean isAnonymous() {
        return account == null;
    }

    /** The tag's value, the key compared without regard to case as IAM does; null when absent. */
    public String tag(String key) {
        return tags.get(key);
    }


    @Override
    public String toString() {
        return arn != null ? arn : account != null ? account : "anonymous";
    }

}
