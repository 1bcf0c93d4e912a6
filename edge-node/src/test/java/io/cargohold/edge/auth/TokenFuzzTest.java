package io.cargohold.edge.auth;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Mutations;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static io.cargohold.edge.auth.AuthFixtures.SERVICE;
import static io.cargohold.edge.auth.AuthFixtures.TOKEN_KEY;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed, mutated and forged bearer tokens, generated from a fixed seed: every one is answered 401
 * {@code UNAUTHORIZED} with a message, none reaches the cache, and the one valid token still pulls.
 */
class TokenFuzzTest {

    private static final String MANIFEST = "/v2/up/library/app/manifests/1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        upstream.push(TestImages.writeImage(layout, "app", 91, 256), "library/app:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, TOKEN_KEY)).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void malformedAndForgedTokens_all401_noneReachesTheUpstream() {
        String valid = AuthFixtures.token(edge, "owner", "up/library/app");
        List<String> tokens = new ArrayList<>(fixedCases(valid));
        Random random = new Random(20261123);
        for (int i = 0; i < 300; i++) {
            tokens.add(Mutations.edit(valid, random,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ").strip());
        }

        for (String token : tokens) {
            if (token.equals(valid)) {
                continue;
            }
            RegistryResponse response = edge.get(MANIFEST, "Authorization", bearer(token));
            assertThat(response.status()).as("status for %s (valid: %s)", token, valid).isEqualTo(401);
            assertErrorCode(response, OciErrorCode.UNAUTHORIZED);
            assertThat(response.header("WWW-Authenticate")).as("challenge for %s", token).startsWith("Bearer ");
            assertThat(errorMessage(response)).as("message for %s", token).doesNotContainIgnoringCase("exception").doesNotContain("java.", "class ");
        }
        assertThat(upstream.requests("GET", ".*/manifests/.*")).isZero();
        assertStatus(edge.get(MANIFEST, "Authorization", bearer(valid)), 200);
    }

    private static List<String> fixedCases(String valid) {
        String[] parts = valid.split("\\.");
        long now = Instant.now().getEpochSecond();
        JsonObject claims = new JsonObject().put("iss", SERVICE).put("aud", SERVICE).put("sub", "owner")
                .put("iat", now).put("exp", now + 300).put("account", AuthFixtures.CACHE_ACCOUNT)
                .put("access", new JsonArray().add(new JsonObject().put("type", "repository")
                        .put("name", "up/library/app").put("actions", new JsonArray().add("pull"))));
        return List.of("", ".", "..", "a.b.c", "not-a-jwt", valid + ".", valid + "x", parts[0] + "." + parts[1],
                parts[0] + "." + parts[1] + ".",
                segment("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + segment(claims.encode()) + ".",
                segment("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2],
                segment("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2],
                segment("{\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2],
                segment("not json") + "." + parts[1] + "." + parts[2],
                parts[0] + "." + segment("[]") + "." + parts[2],
                parts[0] + "." + segment("null") + "." + parts[2],
                sign(claims.copy().put("access", "repository:up/library/app:pull")),
                sign(claims.copy().put("access", new JsonArray().add("up/library/app"))),
                sign(claims.copy().put("access", new JsonArray().add(new JsonObject().put("type", "repository")
                        .put("name", "up/library/app").put("actions", "pull")))),
                sign(claims.copy().put("account", "not-an-account")),
                sign(claims.copy().put("account", 123456789012L)),
                sign(claims.copy().put("exp", "tomorrow")),
                sign(claims.copy().put("nbf", now + 3600)),
                sign(claims.copy().put("iss", "someone-else")),
                sign(new JsonObject(claims.encode()).put("exp", null)),
                sign(claims.copy().put("aud", new JsonArray().add("another"))),
                sign(claims.copy().put("access", new JsonArray())),
                sign(claims.copy().put("access", new JsonArray().add(new JsonObject().put("type", "repository")
                        .put("name", "up/library/app").put("actions", new JsonArray().add("push"))))));
    }

    private static String segment(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(JsonObject claims) {
        JWTAuth jwt = JWTAuth.create(edge.vertx(), new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TOKEN_KEY)));
        return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
    }
}
