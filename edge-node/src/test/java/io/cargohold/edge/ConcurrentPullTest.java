package io.cargohold.edge;

import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients pulling the same uncached image through one node at once: every client gets every
 * byte right, and the upstream sees one request per manifest and per blob (counted both by the
 * node's counting upstream client and by the upstream registry's own access log).
 */
class ConcurrentPullTest {

    private static final int CLIENTS = 20;

    @TempDir
    static Path layout;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image app;
    private static TestImages.Image tool;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        app = TestImages.writeImage(layout, "app", 41, 1024 * 1024, 3 * 1024 * 1024, 256 * 1024);
        tool = TestImages.writeImage(layout, "tool", 42, 512 * 1024, 2 * 1024 * 1024);
        upstream.push(app, "library/app:1");
        upstream.push(tool, "library/tool:1");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    /** Upstream GETs of a path of {@code repository}, from the registry's access log. */
    private static long upstreamGets(String repository, String kind, String reference) {
        return upstream.requests("GET", Pattern.quote("/v2/" + repository + "/" + kind + "/" + reference));
    }

    private static void assertOneUpstreamRequestPerContent(String repository, TestImages.Image image) {
        CountingUpstreamClient.Counts counts = edge.upstreamCalls();
        assertThat(counts.manifestGets(repository, Tag.parse("1"))).as("manifest GETs %s", counts).isEqualTo(1);
        assertThat(upstreamGets(repository, "manifests", "1")).as("upstream access log").isEqualTo(1);
        for (Descriptor blob : image.blobs()) {
            assertThat(counts.blobGets(blob.digest())).as("GETs of %s: %s", blob.digest(), counts).isEqualTo(1);
            assertThat(upstreamGets(repository, "blobs", blob.digest().value()))
                    .as("upstream access log GETs of %s", blob.digest()).isEqualTo(1);
            edge.awaitFill(blob.digest());
        }
        assertThat(edge.uploadsLeft()).isEmpty();
    }

    /** GETs the manifest, then every blob it names at once; fails unless every digest matches. */
    private static Future<Integer> pull(String name) {
        return edge.send(HttpMethod.GET, "/v2/" + name + "/manifests/1", "Accept", MediaType.OCI_MANIFEST)
                .compose(manifest -> {
                    if (manifest.status() != 200) {
                        return Future.failedFuture("manifest: " + manifest);
                    }
                    List<Future<Void>> blobs = new ArrayList<>();
                    for (Descriptor blob : Manifest.parse(manifest.bytes(), manifest.header("Content-Type")).blobs()) {
                        blobs.add(edge.send(HttpMethod.GET, "/v2/" + name + "/blobs/" + blob.digest()).compose(
                                response -> response.status() == 200
                                        && Digest.sha256(response.bytes()).equals(blob.digest())
                                        && response.body().length() == blob.size()
                                        ? Future.<Void>succeededFuture()
                                        : Future.failedFuture("blob " + blob.digest() + ": " + response.status()
                                                + ", " + response.body().length() + " bytes")));
                    }
                    return Future.all(blobs).map(all -> blobs.size());
                });
    }

    @Test
    void rawHttpPulls_twentyAtOnceOfUncachedImage_oneUpstreamRequestPerBlobAndEveryDigestMatches() {
        List<Future<Integer>> pulls = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            pulls.add(pull("up/library/app"));
        }

        Await.await(Future.all(pulls));

        assertThat(pulls).allSatisfy(pull -> assertThat(pull.result()).isEqualTo(app.blobs().size()));
        assertOneUpstreamRequestPerContent("library/app", app);
    }

    @Test
    void skopeoCopies_twentyAtOnceOfUncachedImage_oneUpstreamRequestPerBlobAndEveryDigestMatches(@TempDir Path out)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<java.util.concurrent.Future<String>> copies = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Path dest = out.resolve("copy-" + i);
                copies.add(clients.submit(() -> Skopeo.copy("docker://" + edge.hostPort() + "/up/library/tool:1",
                        "dir:" + dest, "--src-tls-verify=false")));
            }
            for (java.util.concurrent.Future<String> copy : copies) {
                copy.get(EdgeHarness.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }

        for (int i = 0; i < CLIENTS; i++) {
            Path dest = out.resolve("copy-" + i);
            assertThat(Files.readAllBytes(dest.resolve("manifest.json"))).as("manifest of copy %d", i)
                    .isEqualTo(tool.content());
            for (Descriptor blob : tool.blobs()) {
                assertThat(sha256(dest.resolve(blob.digest().hex()))).as("blob %s of copy %d", blob.digest(), i)
                        .isEqualTo(blob.digest());
            }
        }
        assertOneUpstreamRequestPerContent("library/tool", tool);
    }

    private static Digest sha256(Path file) throws IOException {
        return Digest.sha256(Files.readAllBytes(file));
    }
}
