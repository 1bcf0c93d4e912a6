package io.cargohold.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Docker token server (the {@code auth: token:} realm of distribution) on 127.0.0.1: it
 * checks HTTP basic credentials and issues RS256 JWTs granting the requested actions, signed with
 * an RSA key whose self-signed certificate (made by {@code openssl}) is the registry's
 * {@code rootcertbundle}; the certificate rides in the JWT's {@code x5c} header.
 */
public final class TokenServer implements AutoCloseable {

    public static final String ISSUER = "cargohold-test-issuer";
    public static final String SERVICE = "cargohold-test-registry";
    private static final Pattern SCOPE = Pattern.compile("repository:([^:]+):([a-z*,]+)");

    private final Vertx vertx;
    private final HttpServer server;
    private final String username;
    private final String password;
    private final PrivateKey key;
    private final String certificateDer;
    private final Path rootCertBundle;
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Duration expiresIn = Duration.ofMinutes(5);
    private volatile boolean accessTokenField;

    /** One request the server answered: its scope, whether credentials matched, and the status. */
    public record TokenRequest(String service, String scope, String username, int status) {
    }

    private TokenServer(Path dir, String username, String password) {
        this.username = username;
        this.password = password;
        try {
            Path keyFile = dir.resolve("token.key");
            rootCertBundle = dir.resolve("token.crt");
            exec(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=cargohold-test-token", "-addext", "basicConstraints=critical,CA:FALSE",
                    "-keyout", keyFile.toString(), "-out", rootCertBundle.toString()), dir);
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyFile, "PRIVATE KEY")));
            certificateDer = Base64.getEncoder().encodeToString(pem(rootCertBundle, "CERTIFICATE"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(this::handle);
        try {
            server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("token server did not start", e);
        }
    }

    /** Starts a token server accepting {@code username:password}; its key files go to {@code dir}. */
    public static TokenServer start(Path dir, String username, String password) {
        return new TokenServer(dir, username, password);
    }

    /** The realm for the registry's configuration and its challenges. */
    public String realm() {
        return "http://127.0.0.1:" + server.actualPort() + "/token";
    }

    public Path rootCertBundle() {
        return rootCertBundle;
    }

    /** How long issued tokens say they live ({@code expires_in}); five minutes unless set. */
    public void expiresIn(Duration value) {
        expiresIn = value;
    }

    /** Answer with {@code access_token} instead of {@code token} (both are valid per the spec). */
    public void useAccessTokenField(boolean value) {
        accessTokenField = value;
    }

    /** Every token request so far, in order. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    /** How many token requests asked for exactly this scope, e.g. {@code repository:library/app:pull}. */
    public long requests(String scope) {
        return requests.stream().filter(r -> scope.equals(r.scope())).count();
    }

    /** Signs a token for arbitrary access, for tests that build their own requests. */
    public String issue(String subject, String scope) {
        long now = System.currentTimeMillis() / 1000;
        JsonArray access = new JsonArray();
        if (scope != null) {
            for (String part : scope.split(" ")) {
                Matcher m = SCOPE.matcher(part);
                if (m.matches()) {
                    access.add(new JsonObject().put("type", "repository").put("name", m.group(1))
                            .put("actions", new JsonArray(List.of((Object[]) m.group(2).split(",")))));
                }
            }
        }
        JsonObject header = new JsonObject().put("typ", "JWT").put("alg", "RS256")
                .put("x5c", new JsonArray().add(certificateDer));
        JsonObject claims = new JsonObject().put("iss", ISSUER).put("sub", subject).put("aud", SERVICE)
                .put("exp", now + Math.max(expiresIn.toSeconds(), 1) + 60).put("nbf", now - 60).put("iat", now)
                .put("jti", UUID.randomUUID().toString()).put("access", access);
        String signingInput = base64Url(header.encode()) + "." + base64Url(claims.encode());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpServerRequest request) {
        String service = request.getParam("service");
        List<String> scopes = request.params().getAll("scope");
        String scope = scopes.isEmpty() ? null : String.join(" ", scopes);
        String user = basicUser(request.getHeader("Authorization"));
        if (!request.path().equals("/token")) {
            record(service, scope, user, 404);
            request.response().setStatusCode(404).end();
            return;
        }
        if (user == null) {
            record(service, scope, null, 401);
            request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                    .end("{\"details\":\"incorrect username or password\"}");
            return;
        }
        record(service, scope, user, 200);
        JsonObject body = new JsonObject().put(accessTokenField ? "access_token" : "token", issue(user, scope))
                .put("expires_in", expiresIn.toSeconds())
                .put("issued_at", java.time.Instant.now().toString());
        request.response().putHeader("Content-Type", "application/json").end(body.encode());
    }

    private void record(String service, String scope, String user, int status) {
        requests.add(new TokenRequest(service, scope, user, status));
    }

    /** The user name when the basic credentials match, else null. */
    private String basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return decoded.equals(username + ":" + password) ? username : null;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("token server did not stop", e);
        }
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] pem(Path file, String type) throws IOException {
        String text = Files.readString(file);
        int begin = text.indexOf("-----BEGIN " + type + "-----");
        int end = text.indexOf("-----END " + type + "-----");
        if (begin < 0 || end < 0) {
            throw new IOException(file + " holds no " + type);
        }
        String body = text.substring(begin + ("-----BEGIN " + type + "-----").length(), end);
        return Base64.getMimeDecoder().decode(body);
    }

    private static void exec(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("openssl.log");
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl timed out");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }
}
