package io.cargohold.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets Manager, ECR and STS on one local port, speaking the wire protocols the AWS SDK uses:
 * AWS JSON 1.1 ({@code POST /}, {@code X-Amz-Target: secretsmanager.GetSecretValue} or
 * {@code AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken}, errors as
 * {@code {"__type": ..., "message": ...}} with 400) and the AWS Query protocol for STS (a form
 * {@code Action=AssumeRole&...}, XML answers). It checks that requests are SigV4-signed and
 * records who signed them ({@code Credential=<access key id>/...}, {@code X-Amz-Security-Token}).
 */
public final class AwsApiServer implements AutoCloseable {

    public static final String SECRETS_MANAGER_TARGET = "secretsmanager.GetSecretValue";
    public static final String ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
    public static final String ACCOUNT = "111122223333";
    private static final Pattern CREDENTIAL = Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request,.*");

    /** A request as the SDK sent it: the operation, who signed it for which region and service, and its body. */
    public record Request(String operation, String accessKeyId, String region, String signingService,
                          String securityToken, String contentType, Map<String, String> parameters) {
    }

    /** Session credentials STS hands out for a role. */
    public record Session(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, JsonObject> secrets = new ConcurrentHashMap<>();
    private final Map<String, Session> roles = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String ecrToken;
    private volatile Instant ecrExpiresAt;

    private AwsApiServer(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle);
    }

    public static AwsApiServer start(Vertx vertx) throws Exception {
        AwsApiServer aws = new AwsApiServer(vertx);
        aws.server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        return aws;
    }

    /** {@code http://127.0.0.1:PORT}, for the SDK's {@code endpointOverride}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Stores (or replaces) a secret's string under {@code name}; it answers to its name and its ARN. */
    public String putSecret(String name, String secretString) {
        String arn = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name + "-AbCdEf";
        JsonObject secret = new JsonObject().put("ARN", arn).put("Name", name)
                .put("VersionId", java.util.UUID.randomUUID().toString()).put("SecretString", secretString)
                .put("VersionStages", new JsonArray().add("AWSCURRENT"))
                .put("CreatedDate", Instant.now().getEpochSecond());
        secrets.put(name, secret);
        secrets.put(arn, secret);
        return arn;
    }

    /** The secret of {@code username} and {@code password} as JSON, as operators store them. */
    public String putCredentials(String name, String username, String password) {
        return putSecret(name, new JsonObject().put("username", username).put("password", password).encode());
    }

    /** The token GetAuthorizationToken hands out: base64 of {@code AWS:<password>}. */
    public void ecrPassword(String password, Instant expiresAt) {
        ecrToken = Base64.getEncoder().encodeToString(("AWS:" + password).getBytes(StandardCharsets.UTF_8));
        ecrExpiresAt = expiresAt;
    }

    /** Lets STS AssumeRole of {@code roleArn} hand out {@code session}. */
    public void role(String roleArn, Session session) {
        roles.put(roleArn, session);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String authorization = request.getHeader("Authorization");
            Matcher credential = CREDENTIAL.matcher(authorization == null ? "" : authorization);
            if (!"POST".equals(request.method().name()) || !credential.matches()) {
                request.response().setStatusCode(403).putHeader("Content-Type", "application/x-amz-json-1.1")
                        .end(error("MissingAuthenticationTokenException", "Missing Authentication Token").encode());
                return;
            }
            String target = request.getHeader("X-Amz-Target");
            String contentType = request.getHeader("Content-Type");
            Map<String, String> parameters = target != null ? jsonParameters(body) : form(body.toString());
            String operation = target != null ? target : "sts." + parameters.get("Action");
            requests.add(new Request(operation, credential.group(1), credential.group(2), credential.group(3),
                    request.getHeader("X-Amz-Security-Token"), contentType, parameters));
            switch (operation) {
                case SECRETS_MANAGER_TARGET -> getSecretValue(request, parameters);
                case ECR_TARGET -> getAuthorizationToken(request);
                case "sts.AssumeRole" -> assumeRole(request, parameters);
                default -> json(request, 400, error("UnknownOperationException", "unknown operation " + operation));
            }
        });
    }

    private void getSecretValue(HttpServerRequest request, Map<String, String> parameters) {
        JsonObject secret = secrets.get(String.valueOf(parameters.get("SecretId")));
        if (secret == null) {
            json(request, 400, error("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
            return;
        }
        json(request, 200, secret);
    }

    private void getAuthorizationToken(HttpServerRequest request) {
        if (ecrToken == null) {
            json(request, 400, error("ServerException", "no token configured"));
            return;
        }
        json(request, 200, new JsonObject().put("authorizationData", new JsonArray().add(new JsonObject()
                .put("authorizationToken", ecrToken)
                .put("expiresAt", ecrExpiresAt.getEpochSecond())
                .put("proxyEndpoint", "https://" + ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com"))));
    }

    private void assumeRole(HttpServerRequest request, Map<String, String> parameters) {
        Session session = roles.get(String.valueOf(parameters.get("RoleArn")));
        if (session == null) {
            request.response().setStatusCode(403).putHeader("Content-Type", "text/xml")
                    .end("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                            + "<Code>AccessDenied</Code><Message>User: arn:aws:iam::" + ACCOUNT + ":user/cache is not "
                            + "authorized to perform: sts:AssumeRole on resource: " + parameters.get("RoleArn")
                            + "</Message></Error><RequestId>0f8c9f6e-1d2b-4c1a-9e53-000000000001</RequestId></ErrorResponse>");
            return;
        }
        String roleArn = parameters.get("RoleArn");
        String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
        String account = roleArn.split(":")[4];
        request.response().setStatusCode(200).putHeader("Content-Type", "text/xml")
                .end("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
                        + "  <AssumeRoleResult>\n"
                        + "    <SourceIdentity>cargohold</SourceIdentity>\n"
                        + "    <AssumedRoleUser>\n"
                        + "      <Arn>arn:aws:sts::" + account + ":assumed-role/" + roleName + "/"
                        + parameters.get("RoleSessionName") + "</Arn>\n"
                        + "      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:" + parameters.get("RoleSessionName")
                        + "</AssumedRoleId>\n"
                        + "    </AssumedRoleUser>\n"
                        + "    <Credentials>\n"
                        + "      <AccessKeyId>" + session.accessKeyId() + "</AccessKeyId>\n"
                        + "      <SecretAccessKey>" + session.secretAccessKey() + "</SecretAccessKey>\n"
                        + "      <SessionToken>" + session.sessionToken() + "</SessionToken>\n"
                        + "      <Expiration>" + session.expiration() + "</Expiration>\n"
                        + "    </Credentials>\n"
                        + "    <PackedPolicySize>6</PackedPolicySize>\n"
                        + "  </AssumeRoleResult>\n"
                        + "  <ResponseMetadata>\n"
                        + "    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
                        + "  </ResponseMetadata>\n"
                        + "</AssumeRoleResponse>\n");
    }

    private static JsonObject error(String type, String message) {
        return new JsonObject().put("__type", type).put("message", message);
    }

    private static void json(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        if (status >= 400) {
            request.response().putHeader("x-amzn-ErrorType", body.getString("__type"));
        }
        request.response().end(body.encode());
    }

    private static Map<String, String> jsonParameters(Buffer body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (body.length() > 0) {
            new JsonObject(body).forEach(e -> parameters.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return parameters;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.put(name, value);
        }
        return parameters;
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
    }
}
