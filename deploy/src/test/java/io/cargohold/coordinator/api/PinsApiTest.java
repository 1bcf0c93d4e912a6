package io.cargohold.coordinator.api;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.ControlHarness;
import io.cargohold.coordinator.ControlHarness.ApiAnswer;
import io.cargohold.meta.hazelcast.ControlMaps;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinnedImage;
import io.cargohold.testkit.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pins routes: bad input refused naming the field, conflicts, audit; the warm-up itself is PinWarmerTest's. */
class PinsApiTest {

    private static ControlHarness node;

    @BeforeAll
    static void start(@TempDir Path dir) {
        CacheRule gated = new CacheRule("gated", "http://127.0.0.1:1", null, null, null, null, null, null, null, null,
                null, null, new CacheRule.Gate(null, List.of("library/bad*"), null, null));
        node = ControlHarness.standalone(dir, List.of(CacheRule.of("hub", "https://registry-1.docker.io"), gated));
    }

    @AfterAll
    static void stop() {
        Await.closeAll(node);
    }

    @Test
    void create_image_201PendingCanonicalNameListedAndAudited() {
        ApiAnswer created = node.call("POST", "/pins", new JsonObject().put("image", "hub/nginx:1.27"));

        assertThat(created.status()).isEqualTo(201);
        JsonObject pin = created.json();
        assertThat(pin.getString("image")).isEqualTo("hub/library/nginx:1.27");
        assertThat(pin.getString("state")).isEqualTo("pending");
        assertThat(pin.getString("source")).isEqualTo("api");
        assertThat(pin.getString("createdBy")).isNotBlank();
        assertThat(node.call("GET", "/pins", null).json().getJsonArray("pins").stream()
                .map(each -> ((JsonObject) each).getString("id"))).contains(pin.getString("id"));
        assertThat(node.call("GET", "/pins/" + pin.getString("id"), null).json().getString("image"))
                .isEqualTo("hub/library/nginx:1.27");
        assertThat(audit("pins.create", "pins/" + pin.getString("id")).getJsonObject("after").getString("image"))
                .isEqualTo("hub/library/nginx:1.27");
    }

    @Test
    void create_sameImageTwice_409NamingImage() {
        node.call("POST", "/pins", new JsonObject().put("image", "hub/library/redis@sha256:" + "a".repeat(64)));

        ApiAnswer again = node.call("POST", "/pins", new JsonObject().put("image", "hub/redis@sha256:"
                + "a".repeat(64)));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error().getString("field")).isEqualTo("pins.image");
        assertThat(again.error().getString("message")).contains("already pinned");
    }

    @Test
    void create_badInput_400NamingTheField() {
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "hub/nginx")), "pins.image",
                "<repository>:<tag>");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "hub/Nginx:1")), "pins.image",
                "invalid repository name");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "hub/nginx@sha256:12")), "pins.image",
                "<repository>@sha256:<hex>");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "nowhere/app:1")), "pins.image",
                "no rule matches");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "gated/library/bad1:1")), "pins.image",
                "library/bad*");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", 7)), "pins.image", "is required");
        assertField(node.call("POST", "/pins", new JsonObject().put("image", "hub/a:1").put("tag", "x")),
                "pins.tag", "not a pin setting");
        assertThat(node.call("GET", "/pins", null).json().encode()).doesNotContain("Nginx", "bad1", "nowhere");
    }

    @Test
    void delete_apiPin_204GoneAndAudited_unknown404() {
        String id = node.call("POST", "/pins", new JsonObject().put("image", "hub/library/alpine:3")).json()
                .getString("id");

        assertThat(node.call("DELETE", "/pins/" + id, null).status()).isEqualTo(204);
        assertThat(node.call("GET", "/pins/" + id, null).status()).isEqualTo(404);
        assertThat(audit("pins.delete", "pins/" + id).getValue("after")).isNull();
        assertThat(node.call("DELETE", "/pins/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void delete_configPin_409SayingToEditTheConfig() {
        Pin pin = Pin.of(PinnedImage.parse("hub/library/busybox:1"), Pin.CONFIG, Instant.now(), Pin.CONFIG);
        node.hazelcast().<String, String>getMap(ControlMaps.PINS).put(pin.id(), pin.toJson().encode());

        ApiAnswer refused = node.call("DELETE", "/pins/" + pin.id(), null);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.error().getString("message")).contains("edit the config");
        assertThat(node.call("GET", "/pins/" + pin.id(), null).status()).isEqualTo(200);
    }

    private static void assertField(ApiAnswer answer, String field, String message) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.error().getString("field")).isEqualTo(field);
        assertThat(answer.error().getString("message")).contains(message);
    }

    private static JsonObject audit(String operation, String resource) {
        return node.audits().stream().filter(audit -> operation.equals(audit.getString("operation"))
                && resource.equals(audit.getString("resource"))).findFirst().orElseThrow();
    }
}
