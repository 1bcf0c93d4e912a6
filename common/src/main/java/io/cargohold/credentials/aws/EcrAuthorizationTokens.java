package io.cargohold.credentials.aws;

import io.cargohold.credentials.CredentialsReadException;
import io.cargohold.credentials.CredentialsSource;
import io.cargohold.credentials.ExpiringCredentials;
import io.cargohold.spi.Credentials;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Credentials for Amazon ECR and ECR-compatible registries ({@code credentials: aws-ecr}): the
 * token of ECR {@code GetAuthorizationToken}, base64 of {@code AWS:<password>}, valid 12 hours.
 * It is fetched again {@link #MARGIN} before it expires (half its lifetime when that is shorter).
 */
public final class EcrAuthorizationTokens implements CredentialsSource {

    public static final String REFERENCE = "aws-ecr";
    public static final Duration MARGIN = Duration.ofMinutes(15);

    private final AwsClients clients;
    private final Clock clock;
    private EcrClient client;

    public EcrAuthorizationTokens(AwsClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    public ExpiringCredentials read() {
        GetAuthorizationTokenResponse response;
        try {
            response = client().getAuthorizationToken(request -> { });
        } catch (SdkException e) {
            throw new CredentialsReadException(AwsFailures.describe(e), e);
        }
        if (response.authorizationData().isEmpty() || response.authorizationData().get(0).authorizationToken() == null) {
            throw new CredentialsReadException("GetAuthorizationToken answered no authorizationData");
        }
        AuthorizationData data = response.authorizationData().get(0);
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(data.authorizationToken()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new CredentialsReadException("GetAuthorizationToken answered a token that is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new CredentialsReadException("GetAuthorizationToken answered a token that is not user:password");
        }
        Credentials credentials = new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        return new ExpiringCredentials(credentials, refreshAt(clock.instant(), data.expiresAt()));
    }

    /** {@link #MARGIN} before {@code expiresAt}, or half-way there for short-lived tokens. */
    static Instant refreshAt(Instant now, Instant expiresAt) {
        if (expiresAt == null) {
            return now.plus(Duration.ofHours(1));
        }
        Duration lifetime = Duration.between(now, expiresAt);
        if (lifetime.isNegative() || lifetime.isZero()) {
            return now;
        }
        Duration margin = lifetime.compareTo(MARGIN.multipliedBy(2)) < 0 ? lifetime.dividedBy(2) : MARGIN;
        return expiresAt.minus(margin);
    }

    private synchronized EcrClient client() {
        if (client == null) {
            client = clients.ecr();
        }
        return client;
    }

    @Override
    public String reference() {
        return REFERENCE;
    }

    @Override
    public void close() {
        clients.close();
    }
}
