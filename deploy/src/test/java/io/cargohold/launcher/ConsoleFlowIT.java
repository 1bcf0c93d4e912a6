package io.cargohold.launcher;

import io.cargohold.testkit.Skopeo;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console driven as a user would, in headless Chromium over the DevTools protocol: a rule created
 * through its form (a bad prefix first, answered beside the field), validated with its checks shown,
 * pulled through with skopeo, and the image found with its tags by browsing; then the same pages at a
 * phone's width, and with {@code auth} the sign-in of an admin and of a user who only browses.
 * Screenshots are checked as {@link ConsoleIT} does. Skipped where Chromium is not installed.
 */
class ConsoleFlowIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String STATUS = "document.getElementById('status').textContent";
    private static final String RULE_FORM = "document.getElementById('rule-form').innerText";
    private static final String PREFIX_ERROR = "document.querySelector(\"#rule-form [data-error-for='prefix']\")";

    @TempDir
    Path dir;

    @Test
    void console_ruleCreatedThroughTheForm_validatedPulledThroughAndBrowsed() throws Exception {
        assumeTrue(Files.isExecutable(HeadlessChromium.BINARY), "Chromium is not installed");
        TestImages.Image image = TestImages.writeImage(dir.resolve("layout"), "app", 91, 200_000, 30_000);
        try (UpstreamRegistry upstream = UpstreamRegistry.anonymous()) {
            upstream.push(image, "library/app:1");
            upstream.push(image, "library/app:latest");
            int port = CargoholdProcess.freePort();
            int admin = CargoholdProcess.freePort();
            String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                    + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                    + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n";
            try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config);
                 HeadlessChromium browser = HeadlessChromium.start(dir, 1280, 1000)) {
                String console = "http://127.0.0.1:" + admin + "/";
                badPrefix_errorBesideTheField(browser, console, upstream.url());
                createAndValidate(browser, upstream.url());
                pullThrough(cache.hostPort() + "/flow/library/app");
                browseToTheImage(browser, console, image);
                phoneWidth(browser, console);
            }
        }
    }

    private static void badPrefix_errorBesideTheField(HeadlessChromium browser, String console, String upstreamUrl)
            throws Exception {
        browser.navigate(console + "#/rules");
        browser.await("document.body.dataset.loaded === 'true' && document.body.dataset.view === 'rules'", WAIT, STATUS);
        fillRule(browser, "Bad Prefix", upstreamUrl);
        browser.evaluate("document.getElementById('rule-save').click()");
        browser.await(PREFIX_ERROR + ".textContent !== ''", WAIT, RULE_FORM);
        assertThat(browser.text(PREFIX_ERROR + ".textContent")).contains("must match").contains("Bad Prefix");
        assertThat(browser.text(PREFIX_ERROR + ".closest('.field').dataset.field")).isEqualTo("prefix");
        assertThat(browser.evaluate(PREFIX_ERROR + ".closest('.field').classList.contains('invalid')")).isEqualTo(true);
        assertThat(browser.text("document.querySelector(\"#rule-form [data-error-for='upstreamUrl']\").textContent"))
                .isEmpty();
        assertThat(browser.evaluate("document.querySelectorAll('#rule-list tr[data-key]').length")).isEqualTo(0);
    }

    private static void createAndValidate(HeadlessChromium browser, String upstreamUrl) throws Exception {
        fillRule(browser, "flow", upstreamUrl);
        browser.evaluate("document.getElementById('rule-validate').click()");
        browser.await("!document.getElementById('rule-checks').hidden", WAIT, RULE_FORM);
        JsonArray checks = browser.json("[...document.querySelectorAll('#rule-check-list li')]"
                + ".map(li => ({check: li.dataset.check, ok: li.dataset.ok === 'true', text: li.textContent}))");
        assertThat(checks.stream().map(check -> ((JsonObject) check).getString("check")))
                .contains("credentials", "upstream", "authentication");
        assertThat(checks.stream().allMatch(check -> ((JsonObject) check).getBoolean("ok"))).as(checks.encode()).isTrue();
        assertThat(browser.text("document.getElementById('rule-checks-verdict').textContent")).isEqualTo("valid");
        assertThat(browser.text(PREFIX_ERROR + ".textContent")).isEmpty();

        browser.evaluate("document.getElementById('rule-save').click()");
        String row = "document.querySelector(\"#rule-list tr[data-key='flow']\")";
        browser.await(row, WAIT, STATUS);
        assertThat(browser.text(row + ".cells[1].textContent")).isEqualTo(upstreamUrl);
    }

    /** Search, the repository, its image with both tags and times in local time, then the image's layers. */
    private void browseToTheImage(HeadlessChromium browser, String console, TestImages.Image image) throws Exception {
        browser.navigate(console + "#/repositories");
        browser.await("document.body.dataset.view === 'repositories'", WAIT, STATUS);
        browser.evaluate("(() => { const form = document.getElementById('repository-search');"
                + " form.namePrefix.value = 'flow/'; form.requestSubmit(); })()");
        String repositoryRow = "document.querySelector(\"#repository-list tr[data-key='flow/library/app']\")";
        browser.await(repositoryRow, WAIT, STATUS);
        browser.evaluate(repositoryRow + ".querySelector('a').click()");
        String imageRow = "document.querySelector(\"#images tr[data-key='" + image.digest().value() + "']\")";
        browser.await(imageRow, WAIT, STATUS);
        assertThat(browser.json("[..." + imageRow + ".querySelectorAll('.tag')].map(tag => tag.dataset.tag)"))
                .containsExactlyInAnyOrder("1", "latest");
        assertThat(browser.text(imageRow + ".cells[2].dataset.value")).isEqualTo(String.valueOf(image.content().length));
        List<String> times = browser.json("[...document.querySelectorAll('#images time, #repository-details dd')]"
                + ".map(t => t.textContent)").stream().map(Object::toString).toList();
        assertThat(times).isNotEmpty().noneMatch(text -> text.matches(".*\\d{2}:\\d{2}:\\d{2}\\.\\d+.*"))
                .noneMatch(text -> text.matches(".*\\d{4}-\\d{2}-\\d{2}T.*"));
        Path browse = dir.resolve("console-browse.png");
        browser.screenshot(browse);
        ConsoleIT.assertDrawn(browse, 1280);

        browser.evaluate(imageRow + ".querySelector('a').click()");
        browser.await("document.body.dataset.view === 'image'"
                + " && document.querySelectorAll('#image-layers tr[data-key]').length > 0", WAIT, STATUS);
        assertThat(browser.json("[...document.querySelectorAll('#image-layers tr[data-key]')].map(row => row.dataset.key)"))
                .containsExactlyElementsOf(image.layers().stream().map(layer -> layer.digest().value()).toList());
    }

    /** At a phone's width the overview fits without scrolling sideways, its chart still with axes and legend. */
    private void phoneWidth(HeadlessChromium browser, String console) throws Exception {
        browser.viewport(390, 844, true);
        browser.navigate(console + "#/overview");
        browser.await("document.body.dataset.view === 'overview'"
                + " && document.querySelector(\"#repositories tr[data-key='flow/library/app']\")", WAIT, STATUS);
        assertThat(browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
                .as("the page fits a phone's width without scrolling sideways").isEqualTo(true);
        assertThat(browser.evaluate("document.querySelectorAll('#egress-chart [data-axis],"
                + " #egress-chart .legend-item').length")).isEqualTo(4);
        Path phone = dir.resolve("console-phone.png");
        browser.screenshot(phone);
        ConsoleIT.assertDrawn(phone, 390);
    }

    @Test
    void console_withAuth_asksForCredentials_showsAdminsTheConsoleAndOthersTheBrowseViewsOnly() throws Exception {
        assumeTrue(Files.isExecutable(HeadlessChromium.BINARY), "Chromium is not installed");
        String hash = new BCryptPasswordEncoder(4).encode("secret");
        int port = CargoholdProcess.freePort();
        int admin = CargoholdProcess.freePort();
        String config = "http: { host: 127.0.0.1, port: " + port + " }\n"
                + "admin: { host: 127.0.0.1, port: " + admin + " }\n"
                + "storage: { type: filesystem, path: " + dir.resolve("data") + " }\n"
                + "auth:\n"
                + "  account: \"123456789012\"\n"
                + "  admins: [owner]\n"
                + "  users:\n"
                + "    - { name: owner, passwordBcrypt: \"" + hash + "\", account: \"123456789012\", org: o-own }\n"
                + "    - { name: reader, passwordBcrypt: \"" + hash + "\", account: \"123456789012\", org: o-own }\n";
        try (CargoholdProcess cache = CargoholdProcess.standalone(dir, port, config);
             HeadlessChromium browser = HeadlessChromium.start(dir, 1280, 1000)) {
            String console = "http://127.0.0.1:" + admin + "/";
            browser.navigate(console + "#/rules");
            browser.await("!document.getElementById('view-login').hidden", WAIT, STATUS);
            assertThat(browser.evaluate("document.getElementById('view-rules').hidden")).isEqualTo(true);

            signIn(browser, "owner", "wrong");
            browser.await("document.querySelector('#login-form .form-error').textContent !== ''", WAIT, STATUS);
            assertThat(browser.text("document.querySelector('#login-form .form-error').textContent"))
                    .contains("invalid user name or password");

            signIn(browser, "reader", "secret");
            browser.await("!document.getElementById('view-forbidden').hidden", WAIT, STATUS);
            assertThat(browser.text("document.getElementById('forbidden-message').textContent"))
                    .contains("reader is not one of auth.admins");
            assertThat(browser.evaluate("getComputedStyle(document.querySelector(\"#nav a[data-view='rules']\")).display"))
                    .isEqualTo("none");
            browser.navigate(console + "#/repositories");
            browser.await("document.body.dataset.view === 'repositories' && !document.getElementById('view-repositories').hidden"
                    + " && document.querySelector('#repository-list tbody tr')", WAIT, STATUS);
            assertThat(browser.text("document.getElementById('user').textContent")).isEqualTo("signed in as reader");

            browser.evaluate("document.getElementById('sign-out').click()");
            browser.await("!document.getElementById('view-login').hidden", WAIT, STATUS);
            signIn(browser, "owner", "secret");
            browser.await("document.body.dataset.admin === 'true'", WAIT, STATUS);
            browser.navigate(console + "#/rules");
            browser.await("document.body.dataset.view === 'rules' && !document.getElementById('view-rules').hidden"
                    + " && document.body.dataset.loaded === 'true'", WAIT, STATUS);
            assertThat(browser.text("document.getElementById('user').textContent")).isEqualTo("signed in as owner");
            assertThat(browser.evaluate("getComputedStyle(document.querySelector(\"#nav a[data-view='rules']\")).display"))
                    .isNotEqualTo("none");
            Path signedIn = dir.resolve("console-signed-in.png");
            browser.screenshot(signedIn);
            ConsoleIT.assertDrawn(signedIn, 1280);
        }
    }

    private static void fillRule(HeadlessChromium browser, String prefix, String upstreamUrl) throws Exception {
        browser.evaluate("(() => { const form = document.getElementById('rule-form'); form.prefix.value = "
                + Json.encode(prefix) + "; form.upstreamUrl.value = " + Json.encode(upstreamUrl) + "; })()");
    }

    private static void signIn(HeadlessChromium browser, String user, String password) throws Exception {
        browser.evaluate("(() => { const form = document.getElementById('login-form'); form.username.value = "
                + Json.encode(user) + "; form.password.value = " + Json.encode(password) + "; form.requestSubmit(); })()");
    }

    /** Pulls both tags through the new rule; the nodes pick a rule up within seconds of its creation. */
    private void pullThrough(String repository) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (String tag : List.of("1", "latest")) {
            while (true) {
                try {
                    Skopeo.copy("docker://" + repository + ":" + tag, "dir:" + dir.resolve("pulled-" + tag),
                            "--src-tls-verify=false");
                    break;
                } catch (Skopeo.SkopeoException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(1000);
                }
            }
        }
    }
}
