package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.spi.Credentials;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: a real upstream registry, the assembled jar, and skopeo pulling through it. The
 * first pull fills the cache; the second must not reach the upstream at all.
 */
class PullThroughIT {

    enum UpstreamAuth {
        ANONYMOUS(UpstreamRegistry::anonymous),
        BASIC(() -> UpstreamRegistry.basicAuth("puller", "s3cret-basic")),
        TOKEN(() -> UpstreamRegistry.tokenAuth("puller", "s3cret-token"));

        private final Supplier<UpstreamRegistry> start;

        UpstreamAuth(Supplier<UpstreamRegistry> start) {
            this.start = start;
        }
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(UpstreamAuth.class)
    void skopeoPull_imageAndIndexThroughCache_digestsMatchAndSecondPullStaysLocal(UpstreamAuth auth)
            throws IOException {
        Path layout = dir.resolve("layout");
        TestImages.Image image = TestImages.writeImage(layout, "single", 11, 700_000, 1_500_000, 40_000);
        TestImages.Index index = TestImages.writeIndex(layout, "multi", 12, 300_000, 20_000);
        try (UpstreamRegistry upstream = auth.start.get()) {
            upstream.push(image, "library/app:1");
            upstream.push(index, "library/multi:1");
            int port = CargoholdProcess.freePort();
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config(port, upstream))) {
                String app = "docker://" + cache.hostPort() + "/up/library/app:1";
                String multi = "docker://" + cache.hostPort() + "/up/library/multi:1";

                Path first = dir.resolve("first");
                Skopeo.copy(app, "dir:" + first, "--src-tls-verify=false");
                assertImagePulled(first, image);
                Path firstIndex = dir.resolve("first-index");
                Skopeo.copy(multi, "dir:" + firstIndex, "--src-tls-verify=false", "--all");
                assertThat(Files.readAllBytes(firstIndex.resolve("manifest.json"))).isEqualTo(index.content());
                for (TestImages.Image platform : index.images()) {
                    assertThat(Files.readAllBytes(firstIndex.resolve(platform.digest().hex() + ".manifest.json")))
                            .isEqualTo(platform.content());
                    assertBlobs(firstIndex, platform.blobs());
                }

                long upstreamRequests = upstream.accessLog().size();
                Skopeo.copy(app, "dir:" + dir.resolve("second"), "--src-tls-verify=false");
                Skopeo.copy(multi, "dir:" + dir.resolve("second-index"), "--src-tls-verify=false", "--all");
                assertImagePulled(dir.resolve("second"), image);
                String inspected = Skopeo.inspect(app, "--tls-verify=false");
                assertThat(inspected).contains(image.digest().value());
                // skopeo inspect also lists the tags, which the rule answers from the upstream by design
                // (rules[].tagsList: upstream); manifests and blobs never leave the cache.
                assertThat(upstream.accessLog().stream().filter(entry -> !entry.path().endsWith("/tags/list")))
                        .hasSize((int) upstreamRequests);
                assertThat(upstream.requests("GET", "/v2/library/app/blobs/.*"))
                        .as("one upstream GET per blob").isEqualTo(image.blobs().size());
            }
        }
    }

    private String config(int port, UpstreamRegistry upstream) {
        String credentials = upstream.credentials().map(Credentials::username).isPresent()
                ? "    credentials: \"" + upstream.credentials().get().username() + ":"
                        + upstream.credentials().get().password() + "\"\n"
                : "";
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                + "rules:\n"
                + "  - prefix: up\n"
                + "    upstreamUrl: " + upstream.url() + "\n"
                + credentials;
    }

    private static void assertImagePulled(Path out, TestImages.Image image) throws IOException {
        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
        assertBlobs(out, image.blobs());
    }

    private static void assertBlobs(Path out, List<Descriptor> blobs) throws IOException {
        for (Descriptor blob : blobs) {
            Path file = out.resolve(blob.digest().hex());
            assertThat(file).exists();
            assertThat(Files.size(file)).isEqualTo(blob.size());
            assertThat(sha256(file)).isEqualTo(blob.digest());
        }
    }

    static Digest sha256(Path file) throws IOException {
        MessageDigest hasher = Digest.sha256Hasher();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            for (int read; (read = in.read(chunk)) > 0; ) {
                hasher.update(chunk, 0, read);
            }
        }
        return Digest.of(hasher);
    }
}
