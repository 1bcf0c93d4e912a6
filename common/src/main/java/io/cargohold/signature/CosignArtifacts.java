package io.cargohold.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.RegistryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where cosign keeps an image's signatures in a registry and how the OCI documents around them
 * read: the {@code sha256-<hex>.sig} tag of cosign 2.x (a manifest whose layers are simple-signing
 * payloads, each signature in a layer annotation) and the referrers of cosign 3.x (manifests whose
 * one layer is a Sigstore bundle), found through the referrers API or the referrers tag schema.
 */
public final class CosignArtifacts {

    public static final String SIMPLE_SIGNING_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    public static final String BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    /** Every bundle version's media type starts so ({@code ...bundle+json;version=0.2} too). */
    static final String BUNDLE_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One cosign 2.x signature: the payload blob and the base64 signature over its exact bytes. */
    public record SimpleSignature(Descriptor payload, String signature) {
    }

    private CosignArtifacts() {
    }

    /** {@code sha256-<hex>.sig}: the tag cosign 2.x pushes an image's signatures to. */
    public static Tag signatureTag(Digest image) {
        return Tag.parse(image.algorithm() + "-" + image.hex() + ".sig");
    }

    /** {@code sha256-<hex>}: the referrers tag schema, the referrers index of a registry without the API. */
    public static Tag referrersTag(Digest image) {
        return Tag.parse(image.algorithm() + "-" + image.hex());
    }

    /** The simple-signing layers of a {@code .sig} manifest that carry a signature annotation. */
    public static List<SimpleSignature> simpleSignatures(byte[] signatureManifest) {
        List<SimpleSignature> signatures = new ArrayList<>();
        for (JsonNode layer : array(parse(signatureManifest, "signature manifest"), "layers")) {
            JsonNode signature = layer.path("annotations").path(SIGNATURE_ANNOTATION);
            if (SIMPLE_SIGNING_TYPE.equals(layer.path("mediaType").asText()) && signature.isTextual()) {
                signatures.add(new SimpleSignature(descriptor(layer), signature.asText()));
            }
        }
        return signatures;
    }

    /** The manifests a referrers index lists with a Sigstore bundle artifact type. */
    public static List<Digest> bundleManifests(byte[] referrersIndex) {
        List<Digest> manifests = new ArrayList<>();
        for (JsonNode entry : array(parse(referrersIndex, "referrers index"), "manifests")) {
            if (entry.path("artifactType").asText().startsWith(BUNDLE_TYPE_PREFIX)) {
                manifests.add(descriptor(entry).digest());
            }
        }
        return manifests;
    }

    /** The Sigstore bundle blobs a bundle manifest holds as layers. */
    public static List<Descriptor> bundleBlobs(byte[] bundleManifest) {
        List<Descriptor> blobs = new ArrayList<>();
        for (JsonNode layer : array(parse(bundleManifest, "bundle manifest"), "layers")) {
            if (layer.path("mediaType").asText().startsWith(BUNDLE_TYPE_PREFIX)) {
                blobs.add(descriptor(layer));
            }
        }
        return blobs;
    }

    static JsonNode parse(byte[] content, String what) {
        try {
            JsonNode root = JSON.readTree(content);
            if (root == null || !root.isObject()) {
                throw new MalformedSignatureException(what + " is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new MalformedSignatureException(what + " is not valid JSON");
        }
    }

    private static JsonNode array(JsonNode root, String field) {
        JsonNode array = root.path(field);
        if (!array.isArray() && !array.isMissingNode()) {
            throw new MalformedSignatureException("\"" + field + "\" is not an array");
        }
        return array;
    }

    private static Descriptor descriptor(JsonNode node) {
        try {
            if (!node.path("digest").isTextual() || !node.path("size").canConvertToLong()) {
                throw new MalformedSignatureException("descriptor needs a digest and a size");
            }
            return new Descriptor(node.path("mediaType").asText(""), Digest.parse(node.get("digest").asText()),
                    node.get("size").asLong());
        } catch (RegistryException e) {
            throw new MalformedSignatureException("descriptor has an invalid digest");
        }
    }
}
