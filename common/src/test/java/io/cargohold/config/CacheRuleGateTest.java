package io.cargohold.config;

import io.cargohold.credentials.TrustedKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A rule's allow, deny, verify and warm, read from YAML and JSON and checked at load. */
class CacheRuleGateTest {

    private static final String RULE = """
            rules:
              - prefix: dockerhub
                upstreamUrl: https://registry-1.docker.io
            """;

    @Test
    void parse_gateKeys_keepsThemAndResolvesTheKeys(@TempDir Path dir) throws Exception {
        KeyPair signer = ecKeyPair();
        Path cosignPub = Files.writeString(dir.resolve("cosign.pub"), pem("PUBLIC KEY", signer.getPublic().getEncoded()));

        CargoholdConfig config = parse(RULE + """
                    allow: [library/*, 'prometheus/node-exporter:v1.*']
                    deny: [library/bad*]
                    verify:
                      cosign:
                        publicKeys: ['file:%s']
                    warm: ['nginx:1.27', 'library/redis@sha256:%s']
                """.formatted(cosignPub, "a".repeat(64)));

        CacheRule.Gate gate = config.rules().get(0).gate();
        assertThat(gate.allow()).containsExactly("library/*", "prometheus/node-exporter:v1.*");
        assertThat(gate.deny()).containsExactly("library/bad*");
        assertThat(gate.verifies()).isTrue();
        assertThat(gate.verify().publicKeys()).containsExactly("file:" + cosignPub);
        assertThat(gate.warm()).containsExactly("nginx:1.27", "library/redis@sha256:" + "a".repeat(64));
        assertThat(TrustedKeys.read("rules[0]", config.rules().get(0), Map.of()))
                .containsExactly(signer.getPublic());
    }

    @Test
    void parse_inlinePemKey_accepted() throws Exception {
        String key = pem("PUBLIC KEY", ecKeyPair().getPublic().getEncoded()).indent(14);

        CargoholdConfig config = parse(RULE + "    verify:\n      cosign:\n        publicKeys:\n          - |\n" + key);

        assertThat(TrustedKeys.read("rules[0]", config.rules().get(0), Map.of())).hasSize(1);
    }

    @Test
    void parse_noGateKeys_letsEverythingIn() throws IOException {
        CacheRule rule = parse(RULE).rules().get(0);

        assertThat(rule.gate()).isEqualTo(CacheRule.Gate.NONE);
        assertThat(rule.gate().verifies()).isFalse();
        assertThat(rule.gate().allow()).isEmpty();
    }

    @Test
    void constructorWithoutGate_letsEverythingIn() {
        CacheRule rule = new CacheRule("a", "https://r.example", null, null, null, null, null, null, null, null,
                Duration.ofSeconds(1), null);

        assertThat(rule.gate()).isEqualTo(CacheRule.Gate.NONE);
    }

    @Test
    void parse_gateAsOneKey_isUnknown() {
        assertThatThrownBy(() -> parse(RULE + "    gate: { allow: [library/*] }\n"))
                .hasMessageContaining("rules[0].gate: unknown key");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "allow: [library/*, 'Library/x']| rules[0].allow[1]: 'Library/x' is not a valid pattern: "
                    + "'L': repository names are lower case",
            "deny: ['lib**x']| rules[0].deny[0]: 'lib**x' is not a valid pattern: '**' must be a whole path segment, "
                    + "as in library/** or **/nginx",
            "deny: ['library/x:']| rules[0].deny[0]: 'library/x:' is not a valid pattern: the tag after ':' is empty "
                    + "(leave out ':' to match every tag)",
    })
    void parse_invalidPattern_namesTheEntry(String keys, String message) {
        assertThatThrownBy(() -> parse(RULE + "    " + keys + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{cosign: {keyless: true}}| rules[0].verify.cosign.keyless: 'true'",
            "{cosign: {certificateIdentity: ci@example.com, publicKeys: []}}| "
                    + "rules[0].verify.cosign.certificateIdentity: 'ci@example.com'",
            "{cosign: {rekor: {url: 'https://rekor.sigstore.dev'}}}| rules[0].verify.cosign.rekor: "
                    + "'{url=https://rekor.sigstore.dev}'",
            "{fulcio: {}}| rules[0].verify.fulcio: '{}'",
    })
    void parse_keylessSettings_refused(String verify, String keyAndValue) {
        assertThatThrownBy(() -> parse(RULE + "    verify: " + verify + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(keyAndValue + " keyless verification is not supported yet; give publicKeys");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}", "{cosign: {}}", "{cosign: {publicKeys: []}}",
    })
    void parse_verifyWithoutKeys_refused(String verify) {
        assertThatThrownBy(() -> parse(RULE + "    verify: " + verify + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rules[0].verify.cosign.publicKeys: (missing) must list at least one PEM "
                        + "public key");
    }

    @Test
    void parse_unknownVerifySetting_namesIt() {
        assertThatThrownBy(() -> parse(RULE + "    verify: { notation: {} }\n"))
                .hasMessage("rules[0].verify.notation: '{}' is not a verify setting (one of [cosign])");
        assertThatThrownBy(() -> parse(RULE + "    verify: { cosign: { publicKeys: 'file:/k.pub' } }\n"))
                .hasMessage("rules[0].verify.cosign.publicKeys: 'file:/k.pub' must be a list");
    }

    @Test
    void parse_keyNotAPublicKey_namesEntryAndWhy(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("cosign.pub"), pem("PUBLIC KEY", ecKeyPair().getPublic().getEncoded()));
        Path secret = Files.writeString(dir.resolve("cosign.key"), pem("ENCRYPTED SIGSTORE PRIVATE KEY", new byte[] {1}));
        String verify = "    verify: { cosign: { publicKeys: ['file:" + good + "', '%s'] } }\n";

        assertThatThrownBy(() -> parse(RULE + verify.formatted("file:" + secret)))
                .hasMessage("rules[0].verify.cosign.publicKeys[1]: 'file:" + secret + "' holds a private key "
                        + "(ENCRYPTED SIGSTORE PRIVATE KEY); give the public key, such as cosign.pub");
        assertThatThrownBy(() -> parse(RULE + verify.formatted("file:" + dir.resolve("missing.pub"))))
                .hasMessageStartingWith("rules[0].verify.cosign.publicKeys[1]: 'file:" + dir.resolve("missing.pub")
                        + "' cannot be read");
        assertThatThrownBy(() -> parse(RULE + verify.formatted("env:CARGOHOLD_TEST_UNSET_KEY")))
                .hasMessage("rules[0].verify.cosign.publicKeys[1]: 'env:CARGOHOLD_TEST_UNSET_KEY' names an unset "
                        + "environment variable");
        assertThatThrownBy(() -> parse(RULE + verify.formatted("not a key")))
                .hasMessage("rules[0].verify.cosign.publicKeys[1]: 'not a key' holds no PEM public key "
                        + "(-----BEGIN PUBLIC KEY-----)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "library/nginx| must be <repository>:<tag> or <repository>@sha256:<hex>",
            "Library/nginx:1| must be <repository>:<tag> or <repository>@sha256:<hex> (invalid repository name: Library/nginx)",
            "nginx:-bad| must be <repository>:<tag> or <repository>@sha256:<hex> (invalid tag: no manifest can have it: -bad)",
            "nginx@sha256:abc| must be <repository>:<tag> or <repository>@sha256:<hex> (invalid digest: sha256:abc)",
            "bad1:latest| is refused by the rule's own lists: denied by rule 'dockerhub' pattern 'library/bad*'",
            "other/app:1| is refused by the rule's own lists: not in the allow list of rule 'dockerhub'",
    })
    void parse_invalidWarm_namesTheEntry(String image, String why) {
        assertThatThrownBy(() -> parse(RULE + "    allow: [library/*]\n    deny: [library/bad*]\n"
                + "    warm: [library/nginx:1.27, '" + image + "']\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rules[0].warm[1]: '" + image + "' " + why)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("rules[0].warm[1]");
    }

    @Test
    void parse_oneBadRule_failsTheWholeLoad() {
        assertThatThrownBy(() -> parse(RULE + """
                  - prefix: quay
                    upstreamUrl: https://quay.io
                    deny: ['***']
                """))
                .hasMessageStartingWith("rules[1].deny[0]: '***' is not a valid pattern");
    }

    @Test
    void cacheRuleJson_gate_roundTrips(@TempDir Path dir) throws Exception {
        Path cosignPub = Files.writeString(dir.resolve("cosign.pub"), pem("PUBLIC KEY", ecKeyPair().getPublic().getEncoded()));
        CacheRule rule = parse(RULE + """
                    allow: [library/*]
                    deny: ['library/nginx:*-rc*']
                    verify: { cosign: { publicKeys: ['file:%s'] } }
                    warm: ['nginx:1.27']
                """.formatted(cosignPub)).rules().get(0);

        JsonObject json = CacheRuleJson.toJson(rule);

        assertThat(json.getJsonArray("allow")).isEqualTo(new JsonArray().add("library/*"));
        assertThat(json.getJsonObject("verify").getJsonObject("cosign").getJsonArray("publicKeys"))
                .isEqualTo(new JsonArray().add("file:" + cosignPub));
        assertThat(CacheRuleJson.fromJson("rules", json)).isEqualTo(rule);
        assertThat(CacheRuleJson.fromJson("rules", new JsonObject(json.encode()))).isEqualTo(rule);
        CacheRule plain = CacheRule.of("quay", "https://quay.io");
        assertThat(CacheRuleJson.fromJson("rules", CacheRuleJson.toJson(plain))).isEqualTo(plain);
    }

    @Test
    void cacheRuleJson_badGateShapes_nameTheField() {
        JsonObject base = new JsonObject().put("prefix", "quay").put("upstreamUrl", "https://quay.io");

        assertThatThrownBy(() -> CacheRuleJson.fromJson("rules", base.copy().put("allow", "library/*")))
                .hasMessage("rules.allow: 'library/*' must be a list of patterns such as library/*");
        assertThatThrownBy(() -> CacheRuleJson.fromJson("rules", base.copy().put("deny", new JsonArray().add("a").add(1))))
                .hasMessage("rules.deny[1]: '1' must be a string");
        assertThatThrownBy(() -> CacheRuleJson.fromJson("rules", base.copy().put("verify",
                new JsonObject().put("cosign", new JsonObject().put("keyless", true)))))
                .hasMessage("rules.verify.cosign.keyless: 'true' keyless verification is not supported yet; give publicKeys");
        assertThatThrownBy(() -> CacheRuleJson.fromJson("rules", new JsonObject(base.copy().put("verify",
                new JsonObject().put("cosign", new JsonObject().put("publicKeys", List.of(1)))).encode())))
                .hasMessage("rules.verify.cosign.publicKeys[0]: '1' must be a string");
    }

    @Test
    void rule_controlApiPath_checksGate() {
        JsonObject body = new JsonObject().put("prefix", "quay").put("upstreamUrl", "https://quay.io")
                .put("deny", new JsonArray().add("ok/*").add("lib**x"));

        assertThatThrownBy(() -> ConfigValidator.rule("rules", CacheRuleJson.fromJson("rules", body)))
                .hasMessageStartingWith("rules.deny[1]: 'lib**x' is not a valid pattern");
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static CargoholdConfig parse(String yaml) throws IOException {
        return ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yml");
    }
}
