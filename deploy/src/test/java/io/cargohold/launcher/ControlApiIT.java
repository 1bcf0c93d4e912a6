package io.cargohold.launcher;

import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The assembled jar: a standalone process serves the control API on its admin port, and
 * {@code cargohold ctl} (another run of the same jar) drives it; a rule it creates is pulled
 * through by skopeo without a restart.
 */
class ControlApiIT {

    @TempDir
    Path dir;

    @Test
    void ctl_createsRuleOnRunningStandalone_skopeoPullsThroughIt_refusalsExit1() throws Exception {
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 71, 4096);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                    + "rules:\n  - prefix: fromfile\n    upstreamUrl: " + upstream.url() + "\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config)) {
                String url = "http://127.0.0.1:" + admin;

                CtlRun created = ctl(url, "rules", "create", "--prefix", "viactl", "--upstream-url", upstream.url());
                CtlRun listed = ctl(url, "-o", "json", "rules", "list");
                CtlRun refused = ctl(url, "rules", "update", "fromfile", "--refresh-interval", "PT1H");
                Path out = dir.resolve("pulled");
                Skopeo.copy("docker://" + cache.hostPort() + "/viactl/library/app:1", "dir:" + out,
                        "--src-tls-verify=false");
                CtlRun images = ctl(url, "images", "list", "viactl/library/app");

                assertThat(created.exit()).as(created.err()).isZero();
                assertThat(new JsonObject(listed.out()).getJsonArray("rules")).hasSize(2);
                assertThat(refused.exit()).isEqualTo(1);
                assertThat(refused.err().strip()).startsWith("cargohold ctl: 409 rules.prefix: 'fromfile'")
                        .contains("read-only");
                assertThat(Files.readAllBytes(out.resolve("manifest.json"))).isEqualTo(image.content());
                assertThat(images.out()).contains(image.digest().value());
            }
        }
    }

    private CtlRun ctl(String url, String... args) throws IOException, InterruptedException {
        return CtlRun.of(dir, url, args);
    }
}
