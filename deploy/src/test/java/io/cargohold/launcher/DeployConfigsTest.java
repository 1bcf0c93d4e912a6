package io.cargohold.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Cargohold configs shipped for compose and Kubernetes load under the configuration contract,
 * so a key renamed in the code cannot leave a deploy file that fails at start-up.
 */
class DeployConfigsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> composeConfigs() throws IOException {
        return Files.list(Path.of("compose")).filter(path -> path.toString().endsWith(".yml")).sorted();
    }

    static Stream<Path> kubernetesConfigMaps() throws IOException {
        return Files.list(Path.of("k8s")).filter(path -> path.getFileName().toString().startsWith("configmap-"))
                .sorted();
    }

    @ParameterizedTest
    @MethodSource("composeConfigs")
    void composeConfig_loads_clusterOnS3AndKafka(Path file) {
        assertClusterConfig(ConfigLoader.load(file));
    }

    @ParameterizedTest
    @MethodSource("kubernetesConfigMaps")
    void kubernetesConfigMap_loads_clusterFoundThroughHeadlessService(Path file) throws IOException {
        JsonNode configMap = YAML.readTree(file.toFile());
        String yaml = configMap.path("data").path("cargohold.yml").asText();

        CargoholdConfig config = ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                file.toString());

        assertClusterConfig(config);
        assertThat(config.cluster().kubernetes().serviceDns()).isEqualTo("cargohold-hz");
    }

    private static void assertClusterConfig(CargoholdConfig config) {
        assertThat(config.storage().type()).isEqualTo("s3");
        assertThat(config.kafka().bootstrapServers()).isNotBlank();
        assertThat(config.cluster()).isNotNull();
        assertThat(config.rules()).extracting(rule -> rule.prefix())
                .containsAll(List.of("dockerhub", "quay", "ghcr", "k8s", "ecr-public"));
    }
}
