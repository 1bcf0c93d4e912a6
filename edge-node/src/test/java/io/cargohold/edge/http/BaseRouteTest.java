package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertErrorCodes;
import static io.cargohold.edge.RegistryAssertions.assertHeaders;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v2/}, methods a pull-through cache refuses, and paths that are no route. */
class BaseRouteTest {

    private static EdgeHarness edge;

    @BeforeAll
    static void start() {
        // No request here reaches an upstream; the rule only has to exist.
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", "http://127.0.0.1:9")).start();
    }

    @AfterAll
    static void stop() {
        edge.close();
    }

    @Test
    void getBase_always_200WithApiVersionHeader() {
        RegistryResponse response = edge.get("/v2/");

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Docker-Distribution-API-Version", "registry/2.0"));
        assertThat(response.json().isEmpty()).isTrue();
    }

    @Test
    void getBase_withoutTrailingSlash_200() {
        RegistryResponse response = edge.get("/v2");

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Docker-Distribution-API-Version", "registry/2.0"));
    }

    @Test
    void headBase_always_200WithApiVersionHeaderAndNoBody() {
        RegistryResponse response = edge.head("/v2/");

        assertStatus(response, 200);
        assertHeaders(response, Map.of("Docker-Distribution-API-Version", "registry/2.0"));
        assertThat(response.body().length()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "POST", "DELETE", "PATCH"})
    void write_anyRoute_405Unsupported(String method) {
        for (String path : new String[] {"/v2/", "/v2/up/library/app/manifests/1",
                "/v2/up/library/app/blobs/uploads/", "/v2/up/library/app/blobs/sha256:" + "a".repeat(64)}) {
            RegistryResponse response = edge.request(HttpMethod.valueOf(method), path);

            assertErrorCode(response, OciErrorCode.UNSUPPORTED);
            assertHeaders(response, Map.of("Docker-Distribution-API-Version", "registry/2.0"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/v1/_ping", "/v2/up/library/app", "/v2/up/library/app/manifests/",
            "/v2/up/library/app/referrers/", "/v3/"})
    void get_unknownPath_404WithJsonErrorBody(String path) {
        RegistryResponse response = edge.get(path);

        assertStatus(response, 404);
        assertErrorCodes(response, 404, OciErrorCode.UNSUPPORTED);
        assertThat(edge.upstreamCalls().snapshot()).isEmpty();
    }
}
