package io.cargohold.launcher;

import io.cargohold.oci.Descriptor;
import io.cargohold.testkit.S3Server;
import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default on object storage with {@code storage.redirect}: blobs are pulled through
 * into the bucket, then answered with a redirect to a presigned URL that skopeo follows; the admin
 * endpoint answers health, readiness and Prometheus metrics.
 */
class S3StandaloneIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path dir;

    @Test
    void skopeoPull_s3StorageWithRedirect_blobsStoredInBucketAndServedByRedirect() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 51, 400_000, 90_000);
        try (S3Server s3 = S3Server.onDisk(Files.createDirectories(dir.resolve("s3")));
             UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int adminPort = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + adminPort + " }\n"
                    + "storage: { type: s3, path: '" + dir.resolve("data") + "', endpoint: '" + s3.endpoint()
                    + "', bucket: pulled, accessKey: " + S3Server.ACCESS_KEY + ", secretKey: "
                    + S3Server.SECRET_KEY + ", redirect: true }\n"
                    + "rules: [ { prefix: up, upstreamUrl: '" + upstream.url() + "' } ]\n";
            try (CargoholdProcess cache = CargoholdProcess.start(dir, "standalone", "s3", port, config)) {
                String ref = "docker://" + cache.hostPort() + "/up/library/app:1";
                Skopeo.copy(ref, "dir:" + dir.resolve("first"), "--src-tls-verify=false");
                Skopeo.copy(ref, "dir:" + dir.resolve("second"), "--src-tls-verify=false");

                for (Descriptor blob : image.blobs()) {
                    assertThat(PullThroughIT.sha256(dir.resolve("second").resolve(blob.digest().hex())))
                            .isEqualTo(blob.digest());
                    HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://"
                            + cache.hostPort() + "/v2/up/library/app/blobs/" + blob.digest())).build(),
                            HttpResponse.BodyHandlers.discarding());
                    assertThat(answer.statusCode()).isEqualTo(307);
                    assertThat(answer.headers().firstValue("Location")).get().asString()
                            .startsWith(s3.endpoint() + "/pulled/blobs/sha256/" + blob.digest().hex());
                }
                assertThat(upstream.requests("GET", "/v2/library/app/blobs/.*")).isEqualTo(image.blobs().size());

                assertThat(admin(adminPort, "/healthz").statusCode()).isEqualTo(200);
                assertThat(admin(adminPort, "/readyz").statusCode()).isEqualTo(200);
                HttpResponse<String> metrics = admin(adminPort, "/metrics");
                assertThat(metrics.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
                assertThat(metrics.body()).contains("jvm_memory_used_bytes");
                // Each blob was fetched upstream once, by the first copy or by the refresher's prefetch
                // (so a client's lookup may hit already); the blob GETs of both copies and of the
                // redirect checks above were all counted; the manifest came from upstream first.
                int blobs = image.blobs().size();
                String upstreamHost = upstream.hostPort();
                String scrape = metrics.body();
                double blobMisses = sample(scrape, "cargohold_cache_requests_total",
                        "rule", "up", "kind", "blob", "result", "miss");
                assertThat(blobMisses).isLessThanOrEqualTo(blobs);
                assertThat(blobMisses + sample(scrape, "cargohold_cache_requests_total",
                        "rule", "up", "kind", "blob", "result", "hit")).isGreaterThanOrEqualTo(3 * blobs);
                assertThat(sample(scrape, "cargohold_cache_requests_total",
                        "rule", "up", "kind", "manifest", "result", "miss")).isEqualTo(1);
                assertThat(sample(scrape, "cargohold_upstream_requests_seconds_count",
                        "upstream", upstreamHost, "operation", "blob.get", "status", "200")).isEqualTo(blobs);
                assertThat(sample(scrape, "cargohold_upstream_requests_seconds_count",
                        "upstream", upstreamHost, "operation", "manifest.get", "status", "200")).isEqualTo(1);
                assertThat(sample(scrape, "cargohold_http_requests_seconds_count",
                        "route", "blob", "method", "GET", "status", "307")).isGreaterThanOrEqualTo(2 * blobs);
                assertThat(sample(scrape, "cargohold_bytes_served_total", "source", "upstream"))
                        .isGreaterThanOrEqualTo(image.content().length);
                assertThat(sample(scrape, "cargohold_fetches_inflight")).isZero();
                assertThat(sample(scrape, "cargohold_metadata_entries", "map", "manifests")).isEqualTo(1);
                assertThat(sample(scrape, "cargohold_metadata_entries", "map", "tags")).isEqualTo(1);
                assertThat(sample(scrape, "cargohold_metadata_entries", "map", "repositories")).isEqualTo(1);
                assertThat(scrape).contains("vertx_http_server_requests_total", "vertx_http_client_requests_total");
            }
        }
    }

    /** The value of the Prometheus sample {@code name} with these labels (name, value, ...), 0 when absent. */
    static double sample(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> {
                    for (int i = 0; i + 1 < labels.length; i += 2) {
                        if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                            return false;
                        }
                    }
                    return true;
                })
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static HttpResponse<String> admin(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
