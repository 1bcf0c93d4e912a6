package io.cargohold.coordinator.ecr;

import io.cargohold.coordinator.api.ApiException;
import io.cargohold.coordinator.api.FieldError;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The control API's errors as the ECR API answers them: the model's shapes, statuses, and the ECR field names. */
class EcrErrorsTest {

    private static final Function<String, String> FIELDS = field -> Map.of("rules.prefix", "ecrRepositoryPrefix")
            .getOrDefault(field, field);
    private final EcrErrors errors = new EcrErrors(FIELDS,
            error -> error.field() == null ? "PullThroughCacheRuleNotFoundException" : "RepositoryNotFoundException",
            "PullThroughCacheRuleAlreadyExistsException", "ecrRepositoryPrefix");

    @Test
    void translate_invalidField_invalidParameterNamingEcrFieldAndValue() {
        EcrException error = errors.translate(ApiException.invalid("rules.prefix", "Bad_Prefix", "must match x"));

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.toJson()).isEqualTo(new JsonObject().put("__type", "InvalidParameterException")
                .put("message", "ecrRepositoryPrefix 'Bad_Prefix': must match x"));
    }

    @Test
    void translate_severalFields_allInOneMessage() {
        EcrException error = errors.translate(new ApiException(400, List.of(
                new FieldError("rules.prefix", "A", "must match x"), new FieldError("quota", null, "is required"))));

        assertThat(error.getMessage()).isEqualTo("ecrRepositoryPrefix 'A': must match x; quota: is required");
    }

    @Test
    void translate_notFoundWithoutField_operationShapeNamingSubject() {
        EcrException error = errors.translate(ApiException.notFound("no rule with prefix 'hub'"));

        assertThat(error.shape()).isEqualTo("PullThroughCacheRuleNotFoundException");
        assertThat(error.getMessage()).isEqualTo("ecrRepositoryPrefix: no rule with prefix 'hub'");
        assertThat(error.status()).isEqualTo(400);
    }

    @Test
    void translate_notFoundWithField_shapeChosenByWhatWasMissing() {
        EcrException error = errors.translate(ApiException.notFound("name", "a/b", "no such repository"));

        assertThat(error.shape()).isEqualTo("RepositoryNotFoundException");
        assertThat(error.getMessage()).isEqualTo("name 'a/b': no such repository");
    }

    @Test
    void translate_conflict_operationConflictShape() {
        EcrException error = errors.translate(ApiException.conflict("rules.prefix", "hub", "a rule with this prefix exists"));

        assertThat(error.shape()).isEqualTo("PullThroughCacheRuleAlreadyExistsException");
        assertThat(error.getMessage()).isEqualTo("ecrRepositoryPrefix 'hub': a rule with this prefix exists");
    }

    @Test
    void translate_unexpectedFailure_serverException500() {
        EcrException error = errors.translate(new IllegalStateException("disk on fire"));

        assertThat(error.shape()).isEqualTo("ServerException");
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.getMessage()).contains("disk on fire");
    }

    @Test
    void translate_ecrException_keptAsItIs() {
        EcrException denied = new EcrException(EcrException.ACCESS_DENIED, "no");

        assertThat(errors.translate(denied)).isSameAs(denied);
        assertThat(new EcrException(EcrException.MISSING_AUTHENTICATION, "x").status()).isEqualTo(403);
    }
}
