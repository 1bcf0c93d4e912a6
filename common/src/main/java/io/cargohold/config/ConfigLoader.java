package io.cargohold.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads a YAML configuration and validates it as a whole. */
public final class ConfigLoader {

    private static final String BUILT_IN = "standalone.yml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.READ_DATE_TIMESTAMPS_AS_NANOSECONDS);

    private ConfigLoader() {
    }

    public static CargoholdConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + file + ": " + e.getMessage(), e);
        }
    }

    /** The built-in sample: rules for Docker Hub, Quay, GHCR, registry.k8s.io and ECR Public. */
    public static CargoholdConfig builtIn() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(BUILT_IN)) {
            return parse(in, "built-in " + BUILT_IN);
        } catch (IOException e) {
            throw new ConfigException("cannot read the built-in config: " + e.getMessage(), e);
        }
    }

    public static CargoholdConfig parse(InputStream in, String source) throws IOException {
        CargoholdConfig config;
        try {
            config = YAML.readValue(in, CargoholdConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": " + path(e) + ": unknown key", e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof ConfigException setting && setting.key() != null) {
                // a setting read while its object was built (a rule's verify): its key is relative to that object
                throw new ConfigException(path(e) + "." + setting.key(), setting.value(), setting.constraint());
            }
            if (e.getPath().isEmpty()) {
                throw new ConfigException(source + ": the config is empty or not a YAML mapping", e);
            }
            throw new ConfigException(source + ": " + path(e) + ": " + e.getOriginalMessage().lines().findFirst()
                    .orElse("invalid value"), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (config == null) {
            throw new ConfigException(source + ": the config is empty");
        }
        ConfigValidator.validate(config);
        return config;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
    }
}
