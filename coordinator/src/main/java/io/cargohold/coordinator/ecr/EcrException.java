package io.cargohold.coordinator.ecr;

import io.vertx.core.json.JsonObject;

/**
 * An ECR API request that cannot be carried out, answered as awsJson 1.1 says: the status and
 * {@code {"__type": "<error shape>", "message": "..."}} with a shape of ECR's service model
 * ({@code RepositoryNotFoundException}, ...) or of the AWS JSON protocols ({@code UnrecognizedClientException},
 * ...). Every shape is a client error (400) but {@value #SERVER} (500) and {@value #MISSING_AUTHENTICATION} (403).
 */
public final class EcrException extends RuntimeException {

    public static final String SERVER = "ServerException";
    public static final String MISSING_AUTHENTICATION = "MissingAuthenticationTokenException";
    public static final String INVALID_PARAMETER = "InvalidParameterException";
    public static final String ACCESS_DENIED = "AccessDeniedException";
    public static final String REPOSITORY_NOT_FOUND = "RepositoryNotFoundException";

    private final String shape;

    public EcrException(String shape, String message) {
        super(message);
        this.shape = shape;
    }

    /** A parameter's problem: {@code <field> '<value>': <rule>} (without the value when there is none). */
    public static EcrException invalid(String field, Object value, String rule) {
        return new EcrException(INVALID_PARAMETER, describe(field, value, rule));
    }

    static String describe(String field, Object value, String rule) {
        if (field == null) {
            return rule;
        }
        return value == null ? field + ": " + rule : field + " '" + value + "': " + rule;
    }

    public String shape() {
        return shape;
    }

    public int status() {
        return switch (shape) {
            case SERVER -> 500;
            case MISSING_AUTHENTICATION -> 403;
            default -> 400;
        };
    }

    public JsonObject toJson() {
        return new JsonObject().put("__type", shape).put("message", getMessage());
    }
}
