package io.cargohold.config;

import io.cargohold.spi.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretReferenceTest {

    @TempDir
    Path dir;

    @Test
    void resolve_env_readsUsernameAndPasswordVariables() {
        Credentials credentials = SecretReference.resolve("env:HUB",
                Map.of("HUB_USERNAME", "me", "HUB_PASSWORD", "pw"));

        assertThat(credentials).isEqualTo(new Credentials("me", "pw"));
    }

    @Test
    void resolve_envMissing_namesTheVariables() {
        assertThatThrownBy(() -> SecretReference.resolve("env:HUB", Map.of()))
                .hasMessageContaining("HUB_USERNAME").hasMessageContaining("HUB_PASSWORD");
    }

    @Test
    void resolve_fileWithAccessToken_usesTokenAsPassword() throws IOException {
        Path file = dir.resolve("ghcr.json");
        Files.writeString(file, "{\"username\":\"bot\",\"accessToken\":\"ghp_x\"}");

        assertThat(SecretReference.resolve("file:" + file, Map.of())).isEqualTo(new Credentials("bot", "ghp_x"));
    }

    @Test
    void resolve_fileWithoutSecret_failsClearly() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"username\":\"bot\"}");

        assertThatThrownBy(() -> SecretReference.resolve("file:" + file, Map.of()))
                .hasMessageContaining("\"password\" or \"accessToken\"");
    }

    @Test
    void resolve_literal_splitsAtFirstColon() {
        assertThat(SecretReference.resolve("user:pa:ss", Map.of())).isEqualTo(new Credentials("user", "pa:ss"));
    }

    @Test
    void credentials_toString_hidesPassword() {
        assertThat(new Credentials("user", "secret").toString()).doesNotContain("secret");
    }
}
