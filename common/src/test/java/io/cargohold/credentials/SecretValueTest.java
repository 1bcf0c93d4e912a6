package io.cargohold.credentials;

import io.cargohold.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretValueTest {

    @TempDir
    Path dir;

    @Test
    void resolve_env_readsTheVariable() {
        assertThat(SecretValue.resolve("storage.accessKey", "env:S3_KEY", Map.of("S3_KEY", "AKIA1")))
                .isEqualTo("AKIA1");
    }

    @Test
    void resolve_envUnset_namesKeyAndReference() {
        assertThatThrownBy(() -> SecretValue.resolve("storage.secretKey", "env:S3_SECRET", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.secretKey").hasMessageContaining("env:S3_SECRET");
    }

    @Test
    void resolve_file_readsContentWithoutTrailingNewline() throws IOException {
        Path file = dir.resolve("secret");
        Files.writeString(file, "s3cr3t\n");

        assertThat(SecretValue.resolve("storage.secretKey", "file:" + file, Map.of())).isEqualTo("s3cr3t");
    }

    @Test
    void resolve_missingFile_failsWithTheKey() {
        assertThatThrownBy(() -> SecretValue.resolve("storage.secretKey", "file:" + dir.resolve("none"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.secretKey");
    }

    @Test
    void resolve_literalAndNull_returnedAsTheyAre() {
        assertThat(SecretValue.resolve("storage.accessKey", "minio", Map.of())).isEqualTo("minio");
        assertThat(SecretValue.resolve("storage.accessKey", null, Map.of())).isNull();
    }
}
