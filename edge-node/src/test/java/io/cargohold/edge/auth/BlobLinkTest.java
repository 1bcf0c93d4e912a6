package io.cargohold.edge.auth;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.auth.AuthFixtures.bearer;
import static io.cargohold.edge.auth.AuthFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With policies, a cached blob is served only under a repository one of whose cached manifests has
 * it: the layer of a private image, cached through its own repository, is {@code BLOB_UNKNOWN} under
 * another repository the client may pull from, even to a client allowed everything.
 */
class BlobLinkTest {

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image secret;
    private static TestImages.Image open;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        secret = TestImages.writeImage(layout, "secret", 91, 4096);
        open = TestImages.writeImage(layout, "open", 92, 2048);
        upstream.push(secret, "team/secret:1");
        upstream.push(open, "team/open:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url()))
                .auth(AuthFixtures.auth(false, AuthFixtures.TOKEN_KEY)).start();
        pull("up/team/secret", secret);
        pull("up/team/open", open);
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void cachedBlob_underTheRepositoryWhoseManifestHasIt_isServed() {
        Descriptor layer = secret.layers().get(0);

        RegistryResponse response = blob("up/team/secret", layer.digest());

        assertStatus(response, 200);
        assertThat(Digest.sha256(response.bytes())).isEqualTo(layer.digest());
    }

    @Test
    void cachedBlob_underAnotherRepository_isBlobUnknownAndNeverFetched() {
        long before = upstream.requests("GET", "/v2/team/open/blobs/.*");

        assertErrorCode(blob("up/team/open", secret.layers().get(0).digest()), OciErrorCode.BLOB_UNKNOWN);
        assertErrorCode(blob("up/team/open", secret.config().digest()), OciErrorCode.BLOB_UNKNOWN);
        assertThat(upstream.requests("GET", "/v2/team/open/blobs/.*")).isEqualTo(before);
    }

    @Test
    void manifestBytesAsABlob_underTheirRepository_areServed() {
        assertStatus(blob("up/team/open", open.digest()), 200);
        assertErrorCode(blob("up/team/secret", open.digest()), OciErrorCode.BLOB_UNKNOWN);
    }

    private static void pull(String repository, TestImages.Image image) {
        String token = bearer(token(edge, "owner", repository));
        assertStatus(edge.get("/v2/" + repository + "/manifests/1", "Authorization", token,
                "Accept", image.mediaType()), 200);
        for (Descriptor blob : image.blobs()) {
            assertStatus(edge.get("/v2/" + repository + "/blobs/" + blob.digest(), "Authorization", token), 200);
            edge.awaitFill(blob.digest());
        }
    }

    private static RegistryResponse blob(String repository, Digest digest) {
        return edge.get("/v2/" + repository + "/blobs/" + digest, "Authorization",
                bearer(token(edge, "owner", repository)));
    }
}
