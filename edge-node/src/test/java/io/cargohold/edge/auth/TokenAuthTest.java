package io.cargohold.edge.auth;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static io.cargohold.edge.auth.AuthFixtures.PASSWORD;
import static io.cargohold.edge.auth.AuthFixtures.SERVICE;
import static io.cargohold.edge.auth.AuthFixtures.TOKEN_KEY;
import static io.cargohold.edge.auth.AuthFixtures.basic;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.claims;
import static io.cargohold.edge.auth.AuthFixtures.token;
import static io.cargohold.edge.auth.AuthFixtures.tokenPath;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker token authentication over raw HTTP, anonymous pulls off: the challenge, the token endpoint (basic
 * credentials, scopes, the response format) and the checks of every token (signature, expiry, audience, scope).
 */
class TokenAuthTest {

    private static final String APP = "up/library/app";
    private static final String MANIFEST = "/v2/" + APP + "/manifests/1";

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        upstream.push(TestImages.writeImage(layout, "app", 61, 512), "library/app:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, TOKEN_KEY)).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    private String realm() {
        return "http://" + edge.hostPort() + "/v2/token";
    }

    @Test
    void base_withoutCredentials_401ChallengeNamingRealmAndService() {
        RegistryResponse response = edge.get("/v2/");

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"" + realm() + "\",service=\"" + SERVICE + "\"");
    }

    @Test
    void manifest_withoutCredentials_401ChallengeWithRepositoryScope() {
        RegistryResponse response = edge.get("/v2/up/library/unpulled/manifests/1");

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"" + realm() + "\",service=\""
                + SERVICE + "\",scope=\"repository:up/library/unpulled:pull\"");
        assertThat(upstream.requests("GET", ".*/unpulled/.*")).isZero();
    }

    @Test
    void token_basicCredentials_dockerTokenResponseScopedToPull() {
        long before = Instant.now().getEpochSecond();
        RegistryResponse response = edge.get(tokenPath("repository:" + APP + ":pull,push"),
                "Authorization", basic("partner", PASSWORD));

        assertStatus(response, 200);
        JsonObject body = response.json();
        assertThat(body.getString("access_token")).isEqualTo(body.getString("token"));
        assertThat(body.getLong("expires_in")).isEqualTo(300L);
        assertThat(Instant.parse(body.getString("issued_at")).getEpochSecond()).isBetween(before - 1, before + 60);
        JsonObject claims = claims(body.getString("token"));
        assertThat(claims.getString("sub")).isEqualTo("partner");
        assertThat(claims.getString("account")).isEqualTo(AuthFixtures.PARTNER_ACCOUNT);
        assertThat(claims.getString("org")).isEqualTo(AuthFixtures.PARTNER_ORG);
        assertThat(claims.getString("iss")).isEqualTo(SERVICE);
        assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(300L);
        assertThat(claims.getJsonArray("access")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("type", "repository").put("name", APP).put("actions", new JsonArray().add("pull"))));
    }

    @Test
    void token_wrongPassword_401Unauthorized() {
        RegistryResponse response = edge.get(tokenPath("repository:" + APP + ":pull"),
                "Authorization", basic("partner", "wrong"));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(errorMessage(response)).contains("invalid user name or password");
    }

    @Test
    void token_unknownUserOrMalformedBasicOrNone_401Unauthorized() {
        assertErrorCode(edge.get(tokenPath(), "Authorization", basic("nobody", PASSWORD)), OciErrorCode.UNAUTHORIZED);
        assertErrorCode(edge.get(tokenPath(), "Authorization", "Basic !!!not-base64"), OciErrorCode.UNAUTHORIZED);
        assertErrorCode(edge.get(tokenPath(), "Authorization", "Basic "
                + Base64.getEncoder().encodeToString("no-colon".getBytes())), OciErrorCode.UNAUTHORIZED);
        assertErrorCode(edge.get(tokenPath()), OciErrorCode.UNAUTHORIZED);
    }

    @Test
    void tokenPost_passwordGrant_tokenScopedToPullThatPulls() {
        RegistryResponse response = edge.postForm("/v2/token", "grant_type=password&client_id=containerd-client"
                + "&service=" + SERVICE + "&username=owner&password=" + PASSWORD
                + "&scope=" + URLEncoder.encode("repository:" + APP + ":pull,push", StandardCharsets.UTF_8));

        assertStatus(response, 200);
        String token = response.json().getString("access_token");
        assertThat(claims(token).getString("sub")).isEqualTo("owner");
        assertThat(claims(token).getJsonArray("access")).isEqualTo(new JsonArray().add(new JsonObject()
                .put("type", "repository").put("name", APP).put("actions", new JsonArray().add("pull"))));
        assertStatus(edge.get(MANIFEST, "Authorization", bearer(token)), 200);
    }

    @Test
    void tokenPost_wrongPassword_401Unauthorized() {
        RegistryResponse response = edge.postForm("/v2/token",
                "grant_type=password&client_id=containerd-client&username=owner&password=wrong");

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(errorMessage(response)).contains("invalid user name or password");
    }

    @Test
    void tokenPost_refreshGrantOrIncompleteForm_400NamingTheField() {
        RegistryResponse refresh = edge.postForm("/v2/token",
                "grant_type=refresh_token&client_id=containerd-client&refresh_token=abc");
        assertStatus(refresh, 400);
        assertThat(errorMessage(refresh)).contains("grant_type refresh_token is not supported");

        RegistryResponse noClient = edge.postForm("/v2/token", "grant_type=password&username=owner&password=" + PASSWORD);
        assertStatus(noClient, 400);
        assertThat(errorMessage(noClient)).contains("client_id is missing");

        RegistryResponse notAForm = edge.postForm("/v2/token", "");
        assertStatus(notAForm, 400);
        assertThat(errorMessage(notAForm)).contains("grant_type is missing");
    }

    @Test
    void post_onARegistryRoute_405Unsupported() {
        assertErrorCode(edge.postForm(MANIFEST, "a=b"), OciErrorCode.UNSUPPORTED);
    }

    @Test
    void token_malformedScope_400() {
        RegistryResponse response = edge.get(tokenPath("repository:UPPER/Case:pull"),
                "Authorization", basic("partner", PASSWORD));

        assertStatus(response, 400);
        assertThat(errorMessage(response)).contains("repository:UPPER/Case:pull");
    }

    @Test
    void manifest_withToken_200AndTheTokenWorksOnBase() {
        String token = token(edge, "owner", APP);

        assertStatus(edge.get(MANIFEST, "Authorization", bearer(token)), 200);
        assertStatus(edge.get("/v2/", "Authorization", bearer(token)), 200);
    }

    @Test
    void manifest_tokenForAnotherRepository_401InsufficientScope() {
        String token = token(edge, "owner", "up/library/other");

        RegistryResponse response = edge.get(MANIFEST, "Authorization", bearer(token));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate")).contains("scope=\"repository:" + APP + ":pull\"")
                .contains("error=\"insufficient_scope\"");
    }

    @Test
    void catalog_needsTheCatalogScope() {
        String repositoryToken = token(edge, "owner", APP);
        RegistryResponse catalogToken = edge.get(tokenPath("registry:catalog:*"),
                "Authorization", basic("owner", PASSWORD));
        assertStatus(catalogToken, 200);

        RegistryResponse withoutScope = edge.get("/v2/_catalog", "Authorization", bearer(repositoryToken));
        RegistryResponse withScope = edge.get("/v2/_catalog", "Authorization",
                bearer(catalogToken.json().getString("token")));

        assertErrorCode(withoutScope, OciErrorCode.UNAUTHORIZED);
        assertThat(withoutScope.header("WWW-Authenticate")).contains("scope=\"registry:catalog:*\"");
        assertStatus(withScope, 200);
    }

    @Test
    void manifest_expiredToken_401InvalidToken() {
        String expired = sign(TOKEN_KEY, validClaims().put("iat", now() - 600).put("exp", now() - 60));

        RegistryResponse response = edge.get(MANIFEST, "Authorization", bearer(expired));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(errorMessage(response)).isEqualTo("invalid token: token expired");
    }

    @Test
    void manifest_tokenNotValidYet_401SayingNotValidYetNotExpired() {
        String early = sign(TOKEN_KEY, validClaims().put("iat", now()).put("nbf", now() + 3600).put("exp", now() + 7200));

        RegistryResponse response = edge.get(MANIFEST, "Authorization", bearer(early));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(errorMessage(response)).isEqualTo("invalid token: token not valid yet");
    }

    @Test
    void manifest_tokenWithStringExpiry_401SayingExpMustBeANumber() {
        String textExpiry = sign(TOKEN_KEY, validClaims().put("iat", now()).put("exp", "tomorrow"));

        RegistryResponse response = edge.get(MANIFEST, "Authorization", bearer(textExpiry));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(errorMessage(response)).isEqualTo("invalid token: exp must be a number");
    }

    @Test
    void manifest_tokenSignedWithAnotherKey_401() {
        String forged = sign("another-key-that-is-also-long-enough-to-sign", validClaims());

        assertErrorCode(edge.get(MANIFEST, "Authorization", bearer(forged)), OciErrorCode.UNAUTHORIZED);
    }

    @Test
    void manifest_validlySignedTokenWithoutExpiry_401() {
        String noExpiry = sign(TOKEN_KEY, validClaims().put("iat", now()));

        assertErrorCode(edge.get(MANIFEST, "Authorization", bearer(noExpiry)), OciErrorCode.UNAUTHORIZED);
    }

    @Test
    void manifest_tokenForAnotherService_401() {
        String otherAudience = sign(TOKEN_KEY, validClaims().put("aud", "another-registry"));

        assertErrorCode(edge.get(MANIFEST, "Authorization", bearer(otherAudience)), OciErrorCode.UNAUTHORIZED);
    }

    @Test
    void manifest_payloadChangedAfterSigning_401() {
        String[] parts = token(edge, "stranger", APP).split("\\.");
        JsonObject claims = claims(String.join(".", parts)).put("account", AuthFixtures.CACHE_ACCOUNT);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.encode().getBytes()) + "." + parts[2];

        assertErrorCode(edge.get(MANIFEST, "Authorization", bearer(tampered)), OciErrorCode.UNAUTHORIZED);
    }

    @Test
    void manifest_basicCredentialsInsteadOfToken_401() {
        RegistryResponse response = edge.get(MANIFEST, "Authorization", basic("owner", PASSWORD));

        assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer realm=");
    }

    @Test
    void token_withoutCredentialsWhileAnonymousPullsAreOff_401() {
        assertErrorCode(edge.get(tokenPath("repository:" + APP + ":pull")), OciErrorCode.UNAUTHORIZED);
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    /** Claims as the endpoint would issue them for the cache's own account, without times. */
    private static JsonObject validClaims() {
        return new JsonObject().put("iss", SERVICE).put("aud", SERVICE).put("sub", "owner")
                .put("account", AuthFixtures.CACHE_ACCOUNT)
                .put("arn", "arn:aws:iam::" + AuthFixtures.CACHE_ACCOUNT + ":user/owner")
                .put("access", new JsonArray().add(new JsonObject().put("type", "repository").put("name", APP)
                        .put("actions", new JsonArray().add("pull"))));
    }

    /** An HS256 JWT of exactly these claims (no times added). */
    static String sign(String key, JsonObject claims) {
        JWTAuth jwt = JWTAuth.create(edge.vertx(), new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key)));
        return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    }

}
