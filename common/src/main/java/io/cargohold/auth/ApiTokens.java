package io.cargohold.auth;

import io.cargohold.policy.Principal;
import io.cargohold.spi.ApiTokenStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API tokens: random secrets a client logs in with in place of a password ({@code docker login -u ci
 * -p chk_...}), for machines that should not hold a user's password. A token is
 * {@code chk_<id>_<secret>}, 256 random bits; the store keeps its SHA-256 digest (a slow hash adds
 * nothing to a secret that cannot be guessed), so a token is shown once, when it is created, and a
 * deleted token stops working at once. It stands for a principal of an account and organization,
 * named {@code arn:aws:iam::<account>:user/<token name>} in policies.
 */
public final class ApiTokens {

    public static final String PREFIX = "chk_";
    private static final Pattern TOKEN = Pattern.compile("chk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final int ID_BYTES = 8;
    private static final int SECRET_BYTES = 32;
    private static final String DIGEST = "sha256";
    private static final String EXPIRES_AT = "expiresAt";

    private final ApiTokenStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(ApiTokenStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A token just created: its description, and the token itself, which is never stored. */
    public record Created(JsonObject description, String token) {
    }

    /** Creates a token for a principal of {@code account} (and {@code org}, or null) named {@code name}. */
    public Future<Created> create(String name, String account, String org) {
        return create(name, account, org, null);
    }

    /**
     * Creates a token that stops working at {@code expiresAt} (null: when deleted), as ECR's authorization
     * tokens do.
     */
    public Future<Created> create(String name, String account, String org, Instant expiresAt) {
        String id = HexFormat.of().formatHex(randomBytes(ID_BYTES));
        String token = PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(randomBytes(SECRET_BYTES));
        JsonObject document = new JsonObject().put("id", id).put("name", name).put("account", account)
                .put("org", org).put("createdAt", clock.instant().toString()).put(DIGEST, digest(token));
        if (expiresAt != null) {
            document.put(EXPIRES_AT, expiresAt.toString());
        }
        return store.putApiToken(id, document.encode()).map(v -> new Created(describe(document), token));
    }

    /** Whether {@code password} is shaped as an API token, so it is checked as one rather than as a password. */
    public static boolean isToken(String password) {
        return password.startsWith(PREFIX);
    }

    /** The token's principal, when it is a token that exists. */
    public Future<Optional<Principal>> authenticate(String token) {
        Matcher matcher = TOKEN.matcher(token);
        if (!matcher.matches()) {
            return Future.succeededFuture(Optional.empty());
        }
        byte[] presented = HexFormat.of().parseHex(digest(token));
        return store.apiToken(matcher.group(1)).map(found -> found.map(JsonObject::new)
                .filter(document -> MessageDigest.isEqual(presented,
                        HexFormat.of().parseHex(document.getString(DIGEST, ""))))
                .filter(document -> !document.containsKey(EXPIRES_AT)
                        || clock.instant().isBefore(Instant.parse(document.getString(EXPIRES_AT))))
                .map(document -> new Principal(document.getString("account"), document.getString("org"),
                        "arn:aws:iam::" + document.getString("account") + ":user/" + document.getString("name"),
                        Map.of())));
    }

    /** A stored token's document as the API shows it: everything but the digest. */
    public static JsonObject describe(JsonObject document) {
        JsonObject shown = document.copy();
        shown.remove(DIGEST);
        return shown;
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
