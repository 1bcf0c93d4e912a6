package io.cargohold.upstream.http;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.testkit.PresignedUrlProxy;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.minio.MakeBucketArgs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.cargohold.upstream.http.HttpUpstreamClientTest.assertUpstreamFailure;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.await;
import static io.cargohold.upstream.http.HttpUpstreamClientTest.credentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HttpUpstreamClient against a real distribution registry with htpasswd auth keeping its blobs in
 * S3 (S3Proxy) and redirecting blob GETs to presigned URLs on the storage host, behind a
 * {@link PresignedUrlProxy} that refuses, as S3 does, a presigned URL carrying an Authorization header.
 */
class PresignedRedirectTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-redirect";

    private static Vertx vertx;
    private static HttpClient http;
    private static S3Server s3;
    private static PresignedUrlProxy storage;
    private static UpstreamRegistry registry;
    private static TestImages.Image image;

    @BeforeAll
    static void startRegistry() throws Exception {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        s3 = S3Server.inMemory();
        s3.newClient().makeBucket(MakeBucketArgs.builder().bucket("upstream").build());
        storage = PresignedUrlProxy.start(s3.port());
        registry = UpstreamRegistry.basicAuthOnS3(USER, PASSWORD, storage.endpoint(), "upstream");
        Path layout = Files.createTempDirectory("presigned-layout");
        image = TestImages.writeImage(layout, "single", 31, 2048, 700_000);
        registry.push(image, "library/app:1");
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[]{registry, storage, s3}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void acceptPresigned() {
        storage.refusePresigned(false);
    }

    @Test
    void getBlob_redirectedToPresignedUrl_pullsWithoutSendingAuthorizationToStorage() throws Exception {
        HttpUpstreamClient client = client();
        int presignedBefore = storage.presignedRequests();

        assertThat(await(client.getManifest("library/app", Tag.parse("1"), 1 << 20)).content())
                .isEqualTo(image.content());
        for (Descriptor blob : image.blobs()) {
            assertThat(await(client.getBlob("library/app", blob.digest()).compose(HttpUpstreamClientTest::digest))
                    .digest()).isEqualTo(blob.digest());
        }

        assertThat(storage.presignedRequests() - presignedBefore).isEqualTo(image.blobs().size());
        assertThat(storage.presignedWithAuthorization()).isZero();
    }

    @Test
    void getBlob_presignedUrlRefused_fails502NamingStorageHostAndItsErrorCode() {
        storage.refusePresigned(true);
        Descriptor layer = image.blobs().get(image.blobs().size() - 1);

        assertUpstreamFailure(client().getBlob("library/app", layer.digest()), OciErrorCode.UNAVAILABLE, 502, 403,
                "fetching blob library/app@" + layer.digest() + " from " + registry.hostPort() + ": redirect to "
                        + storage.hostPort() + " failed: 403 AccessDenied (Request has expired)");
        assertThatThrownBy(() -> await(client().getBlob("library/app", layer.digest())))
                .isInstanceOf(UpstreamException.class)
                .message().doesNotContain("credentials");
    }

    private static HttpUpstreamClient client() {
        return new HttpUpstreamClient(vertx, http, URI.create(registry.url()), credentials(USER, PASSWORD));
    }
}
