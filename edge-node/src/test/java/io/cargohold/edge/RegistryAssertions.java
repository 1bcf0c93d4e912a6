package io.cargohold.edge;

import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared checks of the route conformance tests (distribution's {@code api_test.go}:
 * {@code checkResponse}, {@code checkHeaders}, {@code checkBodyHasErrorCodes}).
 */
public final class RegistryAssertions {

    private RegistryAssertions() {
    }

    public static void assertStatus(RegistryResponse response, int expected) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(expected);
    }

    /** Each header has exactly the value given. */
    public static void assertHeaders(RegistryResponse response, Map<String, String> expected) {
        expected.forEach((name, value) -> assertThat(response.headers().getAll(name))
                .as("header %s of %s", name, response).containsExactly(value));
    }

    /**
     * The status, a JSON {@code {"errors":[...]}} body with a message for each error, and error
     * codes that are exactly {@code codes}. For HEAD (no body) use {@link #assertStatus}.
     */
    public static void assertErrorCodes(RegistryResponse response, int status, OciErrorCode... codes) {
        assertStatus(response, status);
        assertThat(response.header("Content-Type")).as("content type of %s", response).startsWith("application/json");
        JsonObject body = response.json();
        JsonArray errors = body.getJsonArray("errors");
        assertThat(errors).as("errors of %s", response).isNotNull().isNotEmpty();
        List<String> found = errors.stream().map(e -> ((JsonObject) e).getString("code")).toList();
        assertThat(found).as("error codes of %s", response)
                .containsExactlyElementsOf(Arrays.stream(codes).map(Enum::name).toList());
        errors.forEach(e -> assertThat(((JsonObject) e).getString("message")).as("message of %s", e).isNotBlank());
    }

    /** One error with this code, answered with the code's own HTTP status. */
    public static void assertErrorCode(RegistryResponse response, OciErrorCode code) {
        assertErrorCodes(response, code.httpStatus(), code);
    }

    /** The message of the first error. */
    public static String errorMessage(RegistryResponse response) {
        return response.json().getJsonArray("errors").getJsonObject(0).getString("message");
    }
}
