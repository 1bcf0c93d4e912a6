package io.cargohold.launcher;

import io.cargohold.testkit.Containerd;
import io.cargohold.testkit.Containerd.PullOption;
import io.cargohold.testkit.Dockerd;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end with the container daemons users run: Debian's dockerd and containerd (ctr) pull
 * through the assembled jar, by the cache's own names and as a mirror of the upstream's names
 * (Docker's {@code registry-mirrors}, containerd's {@code hosts.toml}), and log in to a cache with
 * {@code auth}. Every image comes with the upstream's digest, and a second pull of it, by a daemon
 * that no longer has it, never reaches the upstream. One upstream, two caches (open, and with
 * {@code auth}), one containerd and one dockerd on it for the whole class.
 */
class ContainerDaemonsIT {

    private static final String USER = "puller";
    private static final String PASSWORD = "daemon-s3cret";
    /** The registry API's scheme; both daemons trust plain HTTP on 127.0.0.0/8. */
    private static final String SCHEME = "http";
    private static final AtomicLong IMAGE_SEED = new AtomicLong(40);

    @TempDir
    static Path dir;
    private static Path layout;
    private static UpstreamRegistry upstream;
    private static CargoholdProcess cache;
    private static CargoholdProcess guardedCache;
    private static Containerd containerd;
    private static Dockerd dockerd;
    /** containerd's registry hosts: how it reaches the caches, and the upstream mirrored by the open one. */
    private static Path hostsDir;

    @BeforeAll
    static void start() throws IOException {
        layout = dir.resolve("layout");
        upstream = UpstreamRegistry.anonymous();
        Files.createDirectories(dir.resolve("open"));
        Files.createDirectories(dir.resolve("guarded"));
        int port = CargoholdProcess.freePort();
        cache = CargoholdProcess.standalone(dir.resolve("open"), port, config(port, dir.resolve("open"))
                + "mirror: { defaultRule: up }\n");
        int guardedPort = CargoholdProcess.freePort();
        String hash = new BCryptPasswordEncoder(4).encode(PASSWORD);
        guardedCache = CargoholdProcess.standalone(dir.resolve("guarded"), guardedPort,
                config(guardedPort, dir.resolve("guarded"))
                        + "auth:\n"
                        + "  account: \"123456789012\"\n"
                        + "  users:\n"
                        + "    - { name: " + USER + ", passwordBcrypt: \"" + hash + "\", account: \"123456789012\" }\n");
        containerd = Containerd.start();
        dockerd = Dockerd.start(containerd, List.of(url(cache)));
        hostsDir = dir.resolve("hosts");
        for (CargoholdProcess each : List.of(cache, guardedCache)) {
            Containerd.writeHosts(hostsDir, each.hostPort(), url(each), null, null);
        }
    }

    @AfterAll
    static void stop() {
        try (UpstreamRegistry u = upstream; CargoholdProcess c = cache; CargoholdProcess g = guardedCache;
             Containerd ctd = containerd; Dockerd d = dockerd) {
            // closed in reverse order: the daemons first, then the caches, then the upstream
        }
    }

    @Test
    void dockerPull_prefixedName_upstreamDigestAndSecondPullStaysInTheCache() {
        TestImages.Image image = pushImage("library/app:1");
        String reference = cache.hostPort() + "/up/library/app:1";

        int before = upstream.accessLog().size();
        dockerd.pull(reference);

        assertThat(dockerd.repoDigests(reference))
                .containsExactly(cache.hostPort() + "/up/library/app@" + image.digest().value());
        assertFetchedByTheCacheOnly(before, "library/app");
        int afterFirstPull = upstream.accessLog().size();
        dockerd.removeImage(reference);
        dockerd.pull(reference);
        assertThat(dockerd.repoDigests(reference))
                .containsExactly(cache.hostPort() + "/up/library/app@" + image.digest().value());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
    }

    @Test
    void dockerPull_unprefixedNameWithRegistryMirror_servedThroughTheDefaultRule() {
        TestImages.Image image = pushImage("library/mirrored:1");

        // docker.io/library/mirrored:1: the daemon asks its mirror for /v2/library/mirrored/...
        int before = upstream.accessLog().size();
        dockerd.pull("mirrored:1");

        assertThat(dockerd.repoDigests("mirrored:1")).containsExactly("mirrored@" + image.digest().value());
        assertFetchedByTheCacheOnly(before, "library/mirrored");
        int afterFirstPull = upstream.accessLog().size();
        dockerd.removeImage("mirrored:1");
        dockerd.pull("mirrored:1");
        assertThat(dockerd.repoDigests("mirrored:1")).containsExactly("mirrored@" + image.digest().value());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
    }

    @Test
    void ctrPull_prefixedName_upstreamDigestAndSecondPullStaysInTheCache() {
        TestImages.Image image = pushImage("library/tool:1");
        String reference = cache.hostPort() + "/up/library/tool:1";

        int before = upstream.accessLog().size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("prefixed-1"));

        assertThat(containerd.imageDigest("prefixed-1", reference)).hasValue(image.digest());
        assertFetchedByTheCacheOnly(before, "library/tool");
        int afterFirstPull = upstream.accessLog().size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("prefixed-2"));
        assertThat(containerd.imageDigest("prefixed-2", reference)).hasValue(image.digest());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
    }

    @Test
    void ctrPull_mirrorModeWithHostsToml_nsPicksTheRuleAndContainerdNeverAsksTheUpstream() {
        // Named like a prefixed name on purpose: only containerd's ?ns=<upstream host> makes the
        // cache read it as the upstream's own name (without ns it would ask the upstream for "tools").
        TestImages.Image image = pushImage("up/tools:1");
        Containerd.writeHosts(hostsDir, upstream.hostPort(), upstream.url(), url(cache), null);
        String reference = upstream.hostPort() + "/up/tools:1";

        int before = upstream.accessLog().size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("mirror-1"));

        assertThat(containerd.imageDigest("mirror-1", reference)).hasValue(image.digest());
        assertFetchedByTheCacheOnly(before, "up/tools");
        int afterFirstPull = upstream.accessLog().size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("mirror-2"));
        assertThat(containerd.imageDigest("mirror-2", reference)).hasValue(image.digest());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
    }

    @Test
    void dockerLogin_cacheWithAuth_pullNeedsTheLogin() {
        TestImages.Image image = pushImage("library/private:1");
        String reference = guardedCache.hostPort() + "/up/library/private:1";
        assertThatThrownBy(() -> dockerd.pull(reference)).hasMessageContaining("unauthorized");

        assertThatThrownBy(() -> dockerd.login(guardedCache.hostPort(), USER, "wrong-password"))
                .hasMessageContaining("unauthorized");
        assertThat(dockerd.login(guardedCache.hostPort(), USER, PASSWORD)).contains("Login Succeeded");
        dockerd.pull(reference);

        assertThat(dockerd.repoDigests(reference))
                .containsExactly(guardedCache.hostPort() + "/up/library/private@" + image.digest().value());
    }

    @Test
    void ctrPullWithUser_cacheWithAuth_pullsWithTheRightPasswordOnly() {
        TestImages.Image image = pushImage("library/secret:1");
        String reference = guardedCache.hostPort() + "/up/library/secret:1";
        PullOption hosts = PullOption.hostsDir(hostsDir);
        PullOption namespace = PullOption.namespace("auth");
        assertThatThrownBy(() -> containerd.pull(reference, hosts, namespace)).hasMessageContaining("401");
        assertThatThrownBy(() -> containerd.pull(reference, hosts, namespace, PullOption.user(USER, "wrong")))
                .hasMessageContaining("401");

        containerd.pull(reference, hosts, namespace, PullOption.user(USER, PASSWORD));

        assertThat(containerd.imageDigest("auth", reference)).hasValue(image.digest());
    }

    /** A new image (its own layers) in the upstream under {@code repositoryAndTag}. */
    private static TestImages.Image pushImage(String repositoryAndTag) {
        TestImages.Image image = TestImages.writeUnpackableImage(layout, repositoryAndTag.replace('/', '-'),
                IMAGE_SEED.incrementAndGet(), 400_000, 30_000);
        upstream.push(image, repositoryAndTag);
        return image;
    }

    /**
     * Since access log line {@code from}, the upstream served the repository's manifest, and
     * neither daemon went there itself (as containerd does when its mirror fails).
     */
    private static void assertFetchedByTheCacheOnly(int from, String repository) {
        List<UpstreamRegistry.AccessLogEntry> log = upstream.accessLog();
        List<UpstreamRegistry.AccessLogEntry> since = log.subList(from, log.size());
        assertThat(since).as("manifest GETs upstream")
                .anyMatch(entry -> entry.method().equals("GET")
                        && entry.path().startsWith("/v2/" + repository + "/manifests/"));
        assertThat(since).as("requests the daemons sent the upstream themselves")
                .noneMatch(entry -> entry.userAgent() != null && (entry.userAgent().startsWith("containerd/")
                        || entry.userAgent().startsWith("docker/")));
    }

    private static String url(CargoholdProcess process) {
        return SCHEME + "://" + process.hostPort();
    }

    private static String config(int port, Path data) {
        return "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: 0 }\n"
                + "storage: { type: filesystem, path: " + data.resolve("data") + " }\n"
                + "rules:\n"
                + "  - prefix: up\n"
                + "    upstreamUrl: " + upstream.url() + "\n";
    }
}
