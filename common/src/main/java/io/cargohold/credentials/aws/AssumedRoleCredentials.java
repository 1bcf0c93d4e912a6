package io.cargohold.credentials.aws;

import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.util.regex.Pattern;

/**
 * Session credentials of a rule's {@code customRoleArn}, from STS {@code AssumeRole} signed with
 * the caller's credentials (the cross-account case: a role in the registry's account that trusts
 * this one). The SDK's provider keeps them and assumes the role again before they expire.
 */
public final class AssumedRoleCredentials {

    private static final Pattern SESSION_NAME_CHARACTERS = Pattern.compile("[^A-Za-z0-9+=,.@_-]");

    private AssumedRoleCredentials() {
    }

    /** Credentials of {@code roleArn}, assumed through {@code sts} as session {@code sessionName}. */
    public static StsAssumeRoleCredentialsProvider of(StsClient sts, String roleArn, String sessionName) {
        String session = sessionName(sessionName);
        return StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(request -> request.roleArn(roleArn).roleSessionName(session))
                .asyncCredentialUpdateEnabled(false)
                .build();
    }

    /** A valid role session name (2 to 64 of {@code A-Za-z0-9+=,.@_-}) made of {@code name}. */
    static String sessionName(String name) {
        String cleaned = SESSION_NAME_CHARACTERS.matcher(name).replaceAll("-");
        if (cleaned.length() < 2) {
            cleaned = "cargohold";
        }
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }
}
