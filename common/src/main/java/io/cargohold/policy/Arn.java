package io.cargohold.policy;

import io.cargohold.oci.RepositoryName;

import java.util.regex.Pattern;

/**
 * ARNs as policies use them: repository ARNs ({@code arn:aws:ecr:us-east-1:123456789012:repository/team/app}),
 * resource patterns with {@code *} and {@code ?}, and principal ARNs ({@code arn:aws:iam::123456789012:root},
 * {@code :user/name}, {@code :role/path/name}). Patterns match element by element, so a wildcard never spans
 * the colons between partition, service, region, account and resource.
 */
final class Arn {

    static final int MAX_LENGTH = 2048;
    private static final Pattern REPOSITORY_ARN = Pattern.compile("arn:[a-z][a-z0-9-]*:ecr:[a-z0-9-]+:[0-9]{12}:"
            + "repository/" + RepositoryName.COMPONENT + "(?:/" + RepositoryName.COMPONENT + ")*");
    private static final Pattern PRINCIPAL_ARN = Pattern.compile("arn:[a-z][a-z0-9-]*:(?:iam::[0-9]{12}:(?:root"
            + "|(?:user|role)/(?:[\\x21-\\x7e&&[^*?]]+/)*[A-Za-z0-9+=,.@_-]{1,128})"
            + "|sts::[0-9]{12}:assumed-role/[A-Za-z0-9+=,.@_-]{1,128}/[A-Za-z0-9+=,.@_-]{2,64})");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]+");
    private static final String REPOSITORY = "repository/";

    private Arn() {
    }

    static void requireRepositoryArn(String path, String arn) {
        if (arn == null || arn.length() > MAX_LENGTH || !REPOSITORY_ARN.matcher(arn).matches()) {
            throw PolicyException.of(path, arn, "must be a repository ARN such as "
                    + "arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/library/nginx");
        }
    }

    /** Checks a Resource or NotResource entry: {@code *} or an ECR repository ARN, wildcards allowed. */
    static void validateResourcePattern(String path, String pattern) {
        if (pattern.equals("*")) {
            return;
        }
        String[] parts = parts(pattern);
        String hint = "must be * or a repository ARN such as arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/*";
        if (pattern.length() > MAX_LENGTH || !PRINTABLE.matcher(pattern).matches() || parts.length != 6
                || !parts[0].equals("arn") || parts[1].isEmpty() || !Glob.matches(parts[2], "ecr", false)
                || !account(parts[4])) {
            throw PolicyException.of(path, pattern, hint);
        }
        String resource = parts[5];
        String literal = literalPrefix(resource);
        if (!(literal.startsWith(REPOSITORY) || REPOSITORY.startsWith(literal) && literal.length() < resource.length())) {
            throw PolicyException.of(path, pattern, "names no repository: the resource part must be repository/<name> "
                    + "(wildcards allowed), such as repository/dockerhub/*");
        }
    }

    /** Checks an ARN value of a condition: an ARN pattern with six elements, wildcards allowed. */
    static void validateConditionArn(String path, String pattern) {
        String[] parts = parts(pattern);
        if (pattern.length() > MAX_LENGTH || !PRINTABLE.matcher(pattern).matches() || parts.length != 6
                || !parts[0].equals("arn")) {
            throw PolicyException.of(path, pattern, "must be an ARN such as arn:aws:iam::123456789012:role/ci "
                    + "(wildcards allowed)");
        }
    }

    /** Checks a principal ARN: an account root, IAM user or role, or an assumed-role session; no wildcards. */
    static void validatePrincipalArn(String path, String arn) {
        if (arn.length() > MAX_LENGTH || !PRINCIPAL_ARN.matcher(arn).matches()) {
            throw PolicyException.of(path, arn, "must be *, a 12-digit account ID or an IAM ARN such as "
                    + "arn:aws:iam::123456789012:root or arn:aws:iam::123456789012:role/ci (no wildcards)");
        }
    }

    static boolean matches(String pattern, String arn, boolean ignoreCase) {
        if (pattern.equals("*")) {
            return true;
        }
        String[] p = parts(pattern);
        String[] a = parts(arn);
        if (p.length != 6 || a.length != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!Glob.matches(p[i], a[i], ignoreCase)) {
                return false;
            }
        }
        return true;
    }

    static String[] parts(String arn) {
        return arn.split(":", 6);
    }

    private static boolean account(String part) {
        if (Glob.hasWildcard(part)) {
            return part.chars().allMatch(c -> c == '*' || c == '?' || c >= '0' && c <= '9');
        }
        return Principal.ACCOUNT.matcher(part).matches();
    }

    private static String literalPrefix(String pattern) {
        int i = 0;
        while (i < pattern.length() && pattern.charAt(i) != '*' && pattern.charAt(i) != '?') {
            i++;
        }
        return pattern.substring(0, i);
    }
}
