package io.cargohold.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test kit's containerd and Docker daemon pull straight from an {@link UpstreamRegistry} over
 * plain HTTP: what the end-to-end tests through the cache build on.
 */
class ContainerDaemonsTest {

    @TempDir
    static Path tmp;
    private static UpstreamRegistry upstream;
    private static Containerd containerd;
    private static Dockerd dockerd;
    private static TestImages.Image image;

    @BeforeAll
    static void start() {
        image = TestImages.writeUnpackableImage(tmp.resolve("layout"), "single", 5, 20_000, 700);
        upstream = UpstreamRegistry.anonymous();
        upstream.push(image, "library/app:1");
        containerd = Containerd.start();
        dockerd = Dockerd.start(containerd);
    }

    @AfterAll
    static void stop() {
        try (UpstreamRegistry u = upstream; Containerd c = containerd; Dockerd d = dockerd) {
            // closed in reverse order: dockerd, then its containerd, then the registry
        }
    }

    @Test
    void containerdPull_plainHttp_unpacksTheImageWithItsDigest() {
        String reference = upstream.hostPort() + "/library/app:1";

        containerd.pull(reference, Containerd.PullOption.plainHttp(), Containerd.PullOption.namespace("kit"));

        assertThat(containerd.imageDigest("kit", reference)).hasValue(image.digest());
        assertThat(containerd.imageDigest("default", reference)).isEmpty();
    }

    @Test
    void dockerPull_loopbackRegistry_imageHasTheUpstreamDigest() {
        String reference = upstream.hostPort() + "/library/app:1";

        dockerd.pull(reference);

        assertThat(dockerd.repoDigests(reference))
                .containsExactly(upstream.hostPort() + "/library/app@" + image.digest().value());
    }
}
