package io.cargohold.edge.http;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.edge.RegistryResponse;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cargohold.edge.RegistryAssertions.assertErrorCode;
import static io.cargohold.edge.RegistryAssertions.assertStatus;
import static io.cargohold.edge.RegistryAssertions.errorMessage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mirror mode: clients that keep their images' original references. containerd's mirror requests
 * carry the upstream's own name and {@code ns=<registry host>}; skopeo (containers/image, as
 * podman and CRI-O) with a {@code registries.conf} mirror asks by the upstream's name with no
 * prefix, or under a prefix when the mirror location has one. Each pull is served by the cache.
 */
class MirrorModeRouteTest {

    @TempDir
    static Path dir;
    private static UpstreamRegistry upstream;
    private static EdgeHarness edge;
    private static TestImages.Image app;
    private static TestImages.Image tool;

    @BeforeAll
    static void start() {
        upstream = UpstreamRegistry.anonymous();
        app = TestImages.writeImage(dir.resolve("layout"), "app", 71, 300_000, 120_000);
        tool = TestImages.writeImage(dir.resolve("layout"), "tool", 72, 200_000);
        upstream.push(app, "library/app:1");
        upstream.push(tool, "team/tool:2");
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).mirrorDefault("up").start();
    }

    @AfterAll
    static void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void containerdMirrorRequests_withNs_areServedUnderTheRuleOfThatRegistry() {
        String ns = "?ns=" + upstream.hostPort();
        RegistryResponse head = edge.head("/v2/library/app/manifests/1" + ns, "Accept",
                String.join(", ", MediaType.MANIFESTS));
        assertStatus(head, 200);
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(app.digest().value());

        RegistryResponse manifest = edge.get("/v2/library/app/manifests/" + app.digest() + ns,
                "Accept", String.join(", ", MediaType.MANIFESTS));
        assertStatus(manifest, 200);
        assertThat(manifest.bytes()).isEqualTo(app.content());
        for (Descriptor blob : app.blobs()) {
            RegistryResponse response = edge.get("/v2/library/app/blobs/" + blob.digest() + ns);
            assertStatus(response, 200);
            assertThat(Digest.sha256(response.bytes())).isEqualTo(blob.digest());
        }
        assertThat(edge.get("/v2/up/library/app/tags/list").json().getJsonArray("tags")).containsExactly("1");
        assertThat(edge.upstreamCalls().manifestGets("library/app", Tag.parse("1"))).isEqualTo(1);
    }

    @Test
    void containerdMirrorRequest_forARegistryNoRuleServes_isNameUnknownSayingWhatToAdd() {
        RegistryResponse response = edge.get("/v2/library/app/manifests/1?ns=ghcr.io");

        assertErrorCode(response, OciErrorCode.NAME_UNKNOWN);
        assertThat(errorMessage(response))
                .isEqualTo("no rule serves registry ghcr.io (ns); add a rule whose upstreamUrl is https://ghcr.io");
    }

    @Test
    void skopeoWithARegistriesConfMirror_pullsTheOriginalReferenceThroughTheCache() throws IOException {
        Path out = dir.resolve("mirrored-tool");
        pullThroughMirror("team/tool:2", edge.hostPort(), out);

        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(tool.content());
        assertThat(edge.awaitEvent("pull of up/team/tool", event -> event.type().equals(RegistryEvent.PULL)
                && event.repository().equals("up/team/tool")).digest()).isEqualTo(tool.digest().value());
    }

    @Test
    void skopeoWithAPrefixedMirrorLocation_pullsThroughThatRule() throws IOException {
        Path out = dir.resolve("prefixed-app");
        pullThroughMirror("library/app:1", edge.hostPort() + "/up", out);

        assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(app.content());
        assertThat(edge.awaitEvent("pull of up/library/app", event -> event.type().equals(RegistryEvent.PULL)
                && event.repository().equals("up/library/app")).digest()).isEqualTo(app.digest().value());
    }

    /** {@code skopeo copy} of the upstream's own reference, with the cache as its mirror. */
    private static void pullThroughMirror(String image, String mirrorLocation, Path out) throws IOException {
        Path conf = Files.writeString(dir.resolve("registries-" + out.getFileName() + ".conf"), """
                [[registry]]
                prefix = "%1$s"
                location = "%1$s"
                insecure = true

                [[registry.mirror]]
                location = "%2$s"
                insecure = true
                """.formatted(upstream.hostPort(), mirrorLocation));
        Skopeo.run(Skopeo.DEFAULT_TIMEOUT, List.of("--registries-conf", conf.toString(), "copy",
                "docker://" + upstream.hostPort() + "/" + image, "dir:" + out));
    }
}
