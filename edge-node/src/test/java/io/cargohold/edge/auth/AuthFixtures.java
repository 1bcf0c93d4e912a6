package io.cargohold.edge.auth;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.vertx.core.json.JsonObject;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clients of the auth tests: users of the cache's own account, a partner account's organization and
 * strangers, with bcrypt hashes made here (cost 4: quick), and helpers to get and read tokens.
 */
final class AuthFixtures {

    static final String CACHE_ACCOUNT = "123456789012";
    static final String PARTNER_ACCOUNT = "111122223333";
    static final String STRANGER_ACCOUNT = "444455556666";
    static final String PARTNER_ORG = "o-partner";
    static final String SERVICE = "cargohold-test";
    static final String TOKEN_KEY = "a-test-signing-key-of-more-than-32-characters";
    static final String PASSWORD = "s3cret-pass";
    static final String ARN_PREFIX = "arn:aws:ecr:us-east-1:" + CACHE_ACCOUNT + ":repository/";

    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(4);

    private AuthFixtures() {
    }

    static List<CargoholdConfig.User> users() {
        return List.of(
                user("owner", CACHE_ACCOUNT, PARTNER_ORG),
                user("partner", PARTNER_ACCOUNT, PARTNER_ORG),
                user("mallory", PARTNER_ACCOUNT, PARTNER_ORG),
                user("outsider", PARTNER_ACCOUNT, "o-other"),
                user("stranger", STRANGER_ACCOUNT, null));
    }

    private static CargoholdConfig.User user(String name, String account, String org) {
        return new CargoholdConfig.User(name, BCRYPT.encode(PASSWORD), account, org);
    }

    static CargoholdConfig.AuthConfig auth(boolean anonymousPull, String tokenKey) {
        return new CargoholdConfig.AuthConfig(anonymousPull, users(), CACHE_ACCOUNT, "us-east-1", SERVICE, null,
                tokenKey, null, null, null);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String tokenPath(String... scopes) {
        StringBuilder path = new StringBuilder("/v2/token?service=" + SERVICE);
        for (String scope : scopes) {
            path.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        return path.toString();
    }

    /** A token of {@code user} for pulling {@code repository}, asserting the endpoint answered one. */
    static String token(EdgeHarness edge, String user, String repository) {
        RegistryResponse response = edge.get(tokenPath("repository:" + repository + ":pull"),
                "Authorization", basic(user, PASSWORD));
        assertThat(response.status()).as("token answer %s", response).isEqualTo(200);
        return response.json().getString("token");
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** The claims of a JWT, read without checking it. */
    static JsonObject claims(String token) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
