package io.cargohold.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an image manifest or index that a cache follows: the blobs an image needs and
 * the manifests an index points to. Unknown fields are kept in the stored bytes, never here.
 */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, List<Descriptor> manifests) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses manifest bytes; {@code declaredType} is the Content-Type they came with, used when
     * the document has no {@code mediaType} field of its own (allowed for OCI manifests).
     */
    public static Manifest parse(byte[] content, String declaredType) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest is not a JSON object");
        }
        String mediaType = root.path("mediaType").asText(declaredType);
        if (!MediaType.isManifest(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType);
        }
        if (MediaType.isIndex(mediaType)) {
            return new Manifest(mediaType, null, List.of(), descriptors(root.path("manifests")));
        }
        return new Manifest(mediaType, descriptor(root.path("config")), descriptors(root.path("layers")), List.of());
    }

    public boolean isIndex() {
        return MediaType.isIndex(mediaType);
    }

    /** The blobs an image manifest references: its config first, then its layers. */
    public List<Descriptor> blobs() {
        List<Descriptor> blobs = new ArrayList<>();
        if (config != null) {
            blobs.add(config);
        }
        blobs.addAll(layers);
        return blobs;
    }

    private static List<Descriptor> descriptors(JsonNode array) {
        List<Descriptor> result = new ArrayList<>();
        for (JsonNode node : array) {
            result.add(descriptor(node));
        }
        return List.copyOf(result);
    }

    private static Descriptor descriptor(JsonNode node) {
        if (!node.isObject() || !node.path("digest").isTextual() || !node.path("size").canConvertToLong()) {
            throw invalid("descriptor needs a digest and a size");
        }
        JsonNode platform = node.path("platform");
        return new Descriptor(node.path("mediaType").asText(""), Digest.parse(node.get("digest").asText()),
                node.get("size").asLong(), platform.isObject()
                        ? new Platform(platform.path("os").asText(), platform.path("architecture").asText(),
                                platform.path("variant").asText(""))
                        : null);
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(OciErrorCode.MANIFEST_INVALID, message, null);
    }
}
