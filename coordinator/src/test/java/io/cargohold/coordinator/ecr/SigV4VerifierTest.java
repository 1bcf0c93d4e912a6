package io.cargohold.coordinator.ecr;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests signed by the AWS SDK's own SigV4 signer, checked by the verifier. */
class SigV4VerifierTest {

    private static final String KEY_ID = "AKIAEXAMPLE0000001";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Instant SIGNED_AT = Instant.parse("2026-12-06T03:30:00Z");
    private static final String BODY = "{\"ecrRepositoryPrefix\":\"hub\"}";

    private final SigV4Verifier verifier = new SigV4Verifier("ecr");

    @Test
    void verify_requestSignedBySdk_accepted() {
        SigV4Verifier.Request request = signed(SECRET, "ecr", BODY, "/", Map.of());
        SigV4Verifier.Signature signature = verifier.parse(request);

        assertThat(signature.accessKeyId()).isEqualTo(KEY_ID);
        assertThat(signature.region()).isEqualTo("eu-west-1");
        assertThatCode(() -> verifier.verify(request, signature, SECRET, SIGNED_AT.plusSeconds(60)))
                .doesNotThrowAnyException();
    }

    @Test
    void verify_queryAndEncodedPath_accepted() {
        SigV4Verifier.Request request = signed(SECRET, "ecr", "", "/a%20b/c", Map.of("b", "2 3", "a", "x/y"));

        assertThatCode(() -> verifier.verify(request, verifier.parse(request), SECRET, SIGNED_AT))
                .doesNotThrowAnyException();
    }

    @Test
    void verify_wrongSecret_invalidSignature() {
        SigV4Verifier.Request request = signed(SECRET, "ecr", BODY, "/", Map.of());

        assertThatThrownBy(() -> verifier.verify(request, verifier.parse(request), "wrong", SIGNED_AT))
                .isInstanceOf(EcrException.class).hasMessageContaining("does not match")
                .extracting(e -> ((EcrException) e).shape()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void verify_bodyChangedAfterSigning_invalidSignature() {
        SigV4Verifier.Request request = signed(SECRET, "ecr", BODY, "/", Map.of());
        SigV4Verifier.Request tampered = new SigV4Verifier.Request(request.method(), request.rawPath(),
                request.rawQuery(), request.headers(), "{\"ecrRepositoryPrefix\":\"evil\"}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> verifier.verify(tampered, verifier.parse(tampered), SECRET, SIGNED_AT))
                .isInstanceOf(EcrException.class);
    }

    @Test
    void verify_signedSixteenMinutesAgo_expired() {
        SigV4Verifier.Request request = signed(SECRET, "ecr", BODY, "/", Map.of());

        assertThatThrownBy(() -> verifier.verify(request, verifier.parse(request), SECRET,
                SIGNED_AT.plus(Duration.ofMinutes(16))))
                .isInstanceOf(EcrException.class).hasMessageContaining("Signature expired");
        assertThatCode(() -> verifier.verify(request, verifier.parse(request), SECRET,
                SIGNED_AT.plus(Duration.ofMinutes(14)))).doesNotThrowAnyException();
    }

    @Test
    void verify_otherService_refused() {
        SigV4Verifier.Request request = signed(SECRET, "s3", BODY, "/", Map.of());

        assertThatThrownBy(() -> verifier.verify(request, verifier.parse(request), SECRET, SIGNED_AT))
                .isInstanceOf(EcrException.class).hasMessageContaining("'ecr', not 's3'");
    }

    @Test
    void parse_noAuthorization_missingAuthenticationToken() {
        SigV4Verifier.Request request = new SigV4Verifier.Request("POST", "/", null, name -> null, new byte[0]);

        assertThatThrownBy(() -> verifier.parse(request)).isInstanceOf(EcrException.class)
                .satisfies(e -> {
                    assertThat(((EcrException) e).shape()).isEqualTo("MissingAuthenticationTokenException");
                    assertThat(((EcrException) e).status()).isEqualTo(403);
                });
    }

    private static SigV4Verifier.Request signed(String secret, String service, String body, String path,
                                                Map<String, String> query) {
        SdkHttpRequest.Builder http = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
                .uri(URI.create("http://127.0.0.1:5001" + path))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.CreatePullThroughCacheRule");
        query.forEach(http::putRawQueryParameter);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(KEY_ID, secret))
                .request(http.build())
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(SIGNED_AT, ZoneOffset.UTC)));
        Map<String, List<String>> headers = new TreeMap<>();
        signed.request().headers().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        headers.put("host", List.of("127.0.0.1:5001"));
        return new SigV4Verifier.Request("POST", signed.request().encodedPath(),
                signed.request().encodedQueryParameters().orElse(null), headers::get,
                body.getBytes(StandardCharsets.UTF_8));
    }
}
