package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.testkit.Containerd;
import io.cargohold.testkit.Containerd.PullOption;
import io.cargohold.testkit.Dockerd;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.OpensslCa.KeyKind;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End to end with the container daemons users run: Debian's dockerd and containerd (ctr) pull
 * through the assembled jar, by the cache's own names and as a mirror of the upstream's names
 * (Docker's {@code registry-mirrors}, containerd's {@code hosts.toml}), and log in to a cache with
 * {@code auth}, all over HTTPS ({@code http.tls}, {@code admin.tls}) with a certificate from a CA
 * the test makes, which the daemons trust ({@code certs.d}, {@code hosts.toml}'s {@code ca}). Every
 * image comes with the upstream's digest, and a second pull of it, by a daemon that no longer has
 * it, never reaches the upstream. The caches' access logs hold a line for each of the daemons'
 * requests, and no secret. One upstream, two caches (open, and with {@code auth}), one containerd
 * and one dockerd on it for the whole class.
 */
class ContainerDaemonsIT {

    private static final String USER = "puller";
    private static final String PASSWORD = "daemon-s3cret";
    private static final String SCHEME = "https";
    /** What precedes an access log line's JSON on the jar's stderr (logback.xml's pattern). */
    private static final String ACCESS_LOGGER = " cargohold.access - ";
    private static final Set<String> CACHE_RESULTS = Set.of("hit", "miss", "stale", "redirect");
    private static final AtomicLong IMAGE_SEED = new AtomicLong(40);

    @TempDir
    static Path dir;
    private static Path layout;
    private static OpensslCa ca;
    /** The listeners' {@code tls} block: one certificate for 127.0.0.1 on both caches' listeners. */
    private static String tls;
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
        ca = OpensslCa.create(Files.createDirectories(dir.resolve("pki")));
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        tls = "tls: { certificate: " + server.certificate() + ", key: " + server.key() + " }";
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
            dockerd.trustCertificateAuthority(each.hostPort(), ca.certificate());
            Containerd.writeHosts(hostsDir, each.hostPort(), url(each), null, ca.certificate());
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
        int logged = accessLog(cache).size();
        dockerd.pull(reference);

        assertThat(dockerd.repoDigests(reference))
                .containsExactly(cache.hostPort() + "/up/library/app@" + image.digest().value());
        assertFetchedByTheCacheOnly(before, "library/app");
        assertPullLogged(cache, logged, "up/library/app", "1", image, null, null);
        int afterFirstPull = upstream.accessLog().size();
        logged = accessLog(cache).size();
        dockerd.removeImage(reference);
        dockerd.pull(reference);
        assertThat(dockerd.repoDigests(reference))
                .containsExactly(cache.hostPort() + "/up/library/app@" + image.digest().value());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
        assertServedFromTheCache(cache, logged, "up/library/app");
    }

    @Test
    void dockerPull_unprefixedNameWithRegistryMirror_servedThroughTheDefaultRule() {
        TestImages.Image image = pushImage("library/mirrored:1");

        // docker.io/library/mirrored:1: the daemon asks its mirror for /v2/library/mirrored/...
        int before = upstream.accessLog().size();
        int logged = accessLog(cache).size();
        dockerd.pull("mirrored:1");

        assertThat(dockerd.repoDigests("mirrored:1")).containsExactly("mirrored@" + image.digest().value());
        assertFetchedByTheCacheOnly(before, "library/mirrored");
        assertPullLogged(cache, logged, "library/mirrored", "1", image, null, null);
        int afterFirstPull = upstream.accessLog().size();
        logged = accessLog(cache).size();
        dockerd.removeImage("mirrored:1");
        dockerd.pull("mirrored:1");
        assertThat(dockerd.repoDigests("mirrored:1")).containsExactly("mirrored@" + image.digest().value());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
        assertServedFromTheCache(cache, logged, "library/mirrored");
    }

    @Test
    void ctrPull_prefixedName_upstreamDigestAndSecondPullStaysInTheCache() {
        TestImages.Image image = pushImage("library/tool:1");
        String reference = cache.hostPort() + "/up/library/tool:1";

        int before = upstream.accessLog().size();
        int logged = accessLog(cache).size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("prefixed-1"));

        assertThat(containerd.imageDigest("prefixed-1", reference)).hasValue(image.digest());
        assertFetchedByTheCacheOnly(before, "library/tool");
        assertPullLogged(cache, logged, "up/library/tool", "1", image, null, null);
        int afterFirstPull = upstream.accessLog().size();
        logged = accessLog(cache).size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("prefixed-2"));
        assertThat(containerd.imageDigest("prefixed-2", reference)).hasValue(image.digest());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
        assertServedFromTheCache(cache, logged, "up/library/tool");
    }

    @Test
    void ctrPull_mirrorModeWithHostsToml_nsPicksTheRuleAndContainerdNeverAsksTheUpstream() {
        // Named like a prefixed name on purpose: only containerd's ?ns=<upstream host> makes the
        // cache read it as the upstream's own name (without ns it would ask the upstream for "tools").
        TestImages.Image image = pushImage("up/tools:1");
        Containerd.writeHosts(hostsDir, upstream.hostPort(), upstream.url(), url(cache), ca.certificate());
        String reference = upstream.hostPort() + "/up/tools:1";

        int before = upstream.accessLog().size();
        int logged = accessLog(cache).size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("mirror-1"));

        assertThat(containerd.imageDigest("mirror-1", reference)).hasValue(image.digest());
        assertFetchedByTheCacheOnly(before, "up/tools");
        assertPullLogged(cache, logged, "up/tools", "1", image, null, upstream.hostPort());
        int afterFirstPull = upstream.accessLog().size();
        logged = accessLog(cache).size();
        containerd.pull(reference, PullOption.hostsDir(hostsDir), PullOption.namespace("mirror-2"));
        assertThat(containerd.imageDigest("mirror-2", reference)).hasValue(image.digest());
        assertThat(upstream.accessLog()).as("upstream requests after the second pull").hasSize(afterFirstPull);
        assertServedFromTheCache(cache, logged, "up/tools");
    }

    @Test
    void dockerLogin_cacheWithAuth_pullNeedsTheLogin() {
        TestImages.Image image = pushImage("library/private:1");
        String reference = guardedCache.hostPort() + "/up/library/private:1";
        assertThatThrownBy(() -> dockerd.pull(reference)).hasMessageContaining("unauthorized");

        assertThatThrownBy(() -> dockerd.login(guardedCache.hostPort(), USER, "wrong-password"))
                .hasMessageContaining("unauthorized");
        assertThat(dockerd.login(guardedCache.hostPort(), USER, PASSWORD)).contains("Login Succeeded");
        int logged = accessLog(guardedCache).size();
        dockerd.pull(reference);

        assertThat(dockerd.repoDigests(reference))
                .containsExactly(guardedCache.hostPort() + "/up/library/private@" + image.digest().value());
        assertPullLogged(guardedCache, logged, "up/library/private", "1", image, USER, null);
        assertNoSecretLogged(guardedCache, PASSWORD, "wrong-password");
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

        int logged = accessLog(guardedCache).size();
        containerd.pull(reference, hosts, namespace, PullOption.user(USER, PASSWORD));

        assertThat(containerd.imageDigest("auth", reference)).hasValue(image.digest());
        assertPullLogged(guardedCache, logged, "up/library/secret", "1", image, USER, null);
        String token = manifestWithOwnToken("up/library/secret", "1");
        assertNoSecretLogged(guardedCache, PASSWORD, token);
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

    /**
     * The access log since line {@code from} has a line for the pull of {@code name:tag}: the
     * manifest by its tag and every blob, each with the fields README "Access log" promises (a
     * {@code user} on every request {@code user} made once logged in, {@code ns} exactly when the
     * client sent one).
     */
    private static void assertPullLogged(CargoholdProcess process, int from, String name, String tag,
                                         TestImages.Image image, String user, String ns) {
        List<JsonObject> lines = accessLog(process).subList(from, accessLog(process).size());
        assertThat(lines).as("access log lines").allSatisfy(line -> {
            assertThat(line.getString("time")).as("time of %s", line).isNotBlank();
            assertThat(line.getString("client")).as("client of %s", line).isEqualTo("127.0.0.1");
            assertThat(line.getString("method")).as("method of %s", line).isIn("GET", "HEAD", "POST");
            assertThat(line.getString("path")).as("path of %s", line).startsWith("/v2/");
            assertThat(line.getInteger("status")).as("status of %s", line).isNotNull();
            assertThat(line.getLong("bytes")).as("bytes of %s", line).isNotNull();
            assertThat(line.getDouble("durationMs")).as("durationMs of %s", line).isNotNull();
        });
        List<JsonObject> repository = lines.stream()
                .filter(line -> line.getString("path").startsWith("/v2/" + name + "/")).toList();
        assertThat(repository).as("access log lines of %s", name).allSatisfy(line -> {
            assertThat(line.getString("ns")).as("ns of %s", line).isEqualTo(ns);
            // A 401 is answered before a rule is looked up, so only served requests name one.
            if (line.getInteger("status") / 100 == 2) {
                assertThat(line.getString("rule")).as("rule of %s", line).isEqualTo("up");
                assertThat(line.getString("cache")).as("cache of %s", line).isIn(CACHE_RESULTS);
                assertThat(line.containsKey("upstreamMs")).as("upstreamMs in %s", line)
                        .isEqualTo(Set.of("miss", "stale").contains(line.getString("cache")));
                if (user != null) {
                    assertThat(line.getString("user")).as("user of %s", line).isEqualTo(user);
                }
            }
        });
        assertThat(repository).as("manifest %s:%s logged", name, tag).anyMatch(line ->
                line.getString("path").startsWith("/v2/" + name + "/manifests/" + tag)
                        && line.getInteger("status") == 200);
        for (Descriptor blob : image.blobs()) {
            assertThat(repository).as("blob %s logged", blob.digest()).anyMatch(line ->
                    line.getString("method").equals("GET")
                            && line.getString("path").startsWith("/v2/" + name + "/blobs/" + blob.digest().value())
                            && line.getInteger("status") == 200);
        }
        if (user != null) {
            assertThat(lines).as("token requests logged with their user").anyMatch(line ->
                    line.getString("path").startsWith("/v2/token") && line.getInteger("status") == 200
                            && user.equals(line.getString("user")));
        }
    }

    /** Since access log line {@code from}, whatever {@code name}'s requests got came from the cache. */
    private static void assertServedFromTheCache(CargoholdProcess process, int from, String name) {
        List<JsonObject> lines = accessLog(process).subList(from, accessLog(process).size());
        assertThat(lines).as("access log lines of the second pull")
                .filteredOn(line -> line.getString("path").startsWith("/v2/" + name + "/")
                        && line.getInteger("status") == 200)
                .isNotEmpty()
                .allSatisfy(line -> {
                    assertThat(line.getString("cache")).as("cache of %s", line).isEqualTo("hit");
                    assertThat(line.containsKey("upstreamMs")).as("upstreamMs in %s", line).isFalse();
                });
    }

    /**
     * No line of the process's log holds one of {@code secrets}, the {@code user:password} of a Basic
     * header, or an {@code Authorization} value, and no access log line names that header.
     */
    private static void assertNoSecretLogged(CargoholdProcess process, String... secrets) {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        List<String> lines = process.log().lines().toList();
        assertThat(lines).as("log lines").isNotEmpty().allSatisfy(line -> {
            assertThat(line).doesNotContain(secrets).doesNotContain(basic, "Bearer ", "Basic ");
            if (line.contains(ACCESS_LOGGER)) {
                assertThat(line.toLowerCase(Locale.ROOT)).doesNotContain("authorization");
            }
        });
    }

    /**
     * Gets a token from the guarded cache's token endpoint and its manifest {@code name:tag} with it,
     * as a client does: the token that request carried, so the test knows one the log must not hold.
     */
    private static String manifestWithOwnToken(String name, String tag) {
        HttpClient client = HttpClient.newBuilder().sslContext(ca.sslContext(null))
                .connectTimeout(Duration.ofSeconds(10)).build();
        String basic = "Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<String> tokenResponse = client.send(HttpRequest.newBuilder(URI.create(url(guardedCache)
                            + "/v2/token?service=cargohold&scope=repository:" + name + ":pull"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tokenResponse.statusCode()).as(tokenResponse.body()).isEqualTo(200);
            String token = new JsonObject(tokenResponse.body()).getString("token");
            HttpResponse<Void> manifest = client.send(HttpRequest.newBuilder(URI.create(url(guardedCache)
                            + "/v2/" + name + "/manifests/" + tag))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(manifest.statusCode()).isEqualTo(200);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The process's access log lines, parsed: what logger {@code cargohold.access} wrote on its stderr. */
    private static List<JsonObject> accessLog(CargoholdProcess process) {
        return process.log().lines().filter(line -> line.contains(ACCESS_LOGGER))
                .map(line -> new JsonObject(line.substring(line.indexOf(ACCESS_LOGGER) + ACCESS_LOGGER.length())))
                .toList();
    }

    private static String url(CargoholdProcess process) {
        return SCHEME + "://" + process.hostPort();
    }

    private static String config(int port, Path data) {
        return "http: { host: 127.0.0.1, port: " + port + ", " + tls + " }\n"
                + "admin: { host: 127.0.0.1, port: 0, " + tls + " }\n"
                + "storage: { type: filesystem, path: " + data.resolve("data") + " }\n"
                + "rules:\n"
                + "  - prefix: up\n"
                + "    upstreamUrl: " + upstream.url() + "\n";
    }
}
