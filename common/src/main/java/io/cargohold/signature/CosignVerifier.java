package io.cargohold.signature;

import com.fasterxml.jackson.databind.JsonNode;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.RegistryException;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Checks cosign signatures of an image against trusted public keys, offline, on bytes already
 * fetched. A signature counts when it verifies with one of the keys and what it signed names the
 * image's exact digest: a simple-signing payload's {@code critical.image.docker-manifest-digest}
 * (cosign 2.x), the subject of the in-toto statement in a Sigstore bundle's DSSE envelope, or a
 * bundle's message digest (cosign 3.x). Transparency-log entries in a bundle are not consulted: a
 * key-signed bundle needs none to be verified.
 */
public final class CosignVerifier {

    /** The {@code critical.type} of a cosign 2.x image signature payload. */
    public static final String SIMPLE_SIGNING_CLAIM = "cosign container image signature";
    /** The predicate type of the in-toto statement cosign 3.x signs for an image. */
    public static final String SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    private static final String STATEMENT_TYPE_PREFIX = "https://in-toto.io/Statement/";
    private static final Map<String, String> MESSAGE_DIGESTS = Map.of("SHA2_256", "sha256", "SHA2_512", "sha512");

    private final List<PublicKey> keys;

    public CosignVerifier(List<PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted public key is needed");
        }
        this.keys = List.copyOf(keys);
    }

    /**
     * Checks the signatures of a cosign 2.x {@code .sig} manifest; {@code payloads} gives the bytes of
     * a payload blob, or null when it could not be fetched.
     */
    public Verdict verifySimpleSigning(Digest image, byte[] signatureManifest, Function<Digest, byte[]> payloads) {
        List<CosignArtifacts.SimpleSignature> signatures;
        try {
            signatures = CosignArtifacts.simpleSignatures(signatureManifest);
        } catch (MalformedSignatureException e) {
            return Verdict.fail(e.getMessage());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (CosignArtifacts.SimpleSignature signature : signatures) {
            Digest digest = signature.payload().digest();
            byte[] payload = payloads.apply(digest);
            verdicts.add(payload == null || !digest.matches(payload)
                    ? Verdict.fail("signature payload " + digest + " could not be fetched")
                    : verifySimpleSignature(image, payload, signature.signature()));
        }
        return Verdict.anyOf(verdicts);
    }

    /** Checks one simple-signing payload and its base64 signature. */
    public Verdict verifySimpleSignature(Digest image, byte[] payload, String signature) {
        try {
            byte[] signatureBytes = base64(signature, "signature");
            OptionalInt key = trustedKey(k -> KeyVerification.verifies(k, payload, signatureBytes));
            if (key.isEmpty()) {
                return Verdict.fail(Verdict.UNTRUSTED);
            }
            JsonNode critical = CosignArtifacts.parse(payload, "signature payload").path("critical");
            if (!SIMPLE_SIGNING_CLAIM.equals(critical.path("type").asText())) {
                return Verdict.fail("signed payload is not a cosign container image signature");
            }
            return naming(image, manifestDigest(critical.path("image")),
                    "simple-signing signature verified with trusted key #" + (key.getAsInt() + 1));
        } catch (MalformedSignatureException e) {
            return Verdict.fail(e.getMessage());
        }
    }

    /** Checks a key-signed Sigstore bundle (JSON): a DSSE envelope or a message signature. */
    public Verdict verifyBundle(Digest image, byte[] bundleJson) {
        try {
            JsonNode bundle = CosignArtifacts.parse(bundleJson, "Sigstore bundle");
            if (!bundle.path("mediaType").asText().startsWith(CosignArtifacts.BUNDLE_TYPE_PREFIX)) {
                return Verdict.fail("not a Sigstore bundle: media type \"" + bundle.path("mediaType").asText() + "\"");
            }
            if (bundle.path("dsseEnvelope").isObject()) {
                return verifyEnvelope(image, bundle, bundle.get("dsseEnvelope"));
            }
            if (bundle.path("messageSignature").isObject()) {
                return verifyMessageSignature(image, bundle, bundle.get("messageSignature"));
            }
            return Verdict.fail("Sigstore bundle holds neither a DSSE envelope nor a message signature");
        } catch (MalformedSignatureException e) {
            return Verdict.fail(e.getMessage());
        }
    }

    private Verdict verifyEnvelope(Digest image, JsonNode bundle, JsonNode envelope) {
        String payloadType = envelope.path("payloadType").asText();
        byte[] payload = base64(envelope.path("payload").asText(), "DSSE payload");
        byte[] signed = Dsse.pae(payloadType, payload);
        List<byte[]> signatures = new ArrayList<>();
        for (JsonNode signature : envelope.path("signatures")) {
            signatures.add(base64(signature.path("sig").asText(), "DSSE signature"));
        }
        OptionalInt key = trustedKey(k -> signatures.stream().anyMatch(s -> KeyVerification.verifies(k, signed, s)));
        if (key.isEmpty()) {
            return untrusted(bundle);
        }
        if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(payloadType)) {
            return Verdict.fail("signed DSSE payload is " + payloadType + ", not an in-toto statement");
        }
        JsonNode statement = CosignArtifacts.parse(payload, "in-toto statement");
        if (!statement.path("_type").asText().startsWith(STATEMENT_TYPE_PREFIX)) {
            return Verdict.fail("signed DSSE payload is not an in-toto statement");
        }
        String predicateType = statement.path("predicateType").asText();
        if (!SIGN_PREDICATE.equals(predicateType)) {
            return Verdict.fail("signed statement is a " + predicateType + " attestation, not a cosign signature");
        }
        String how = "Sigstore bundle (DSSE) verified with trusted key #" + (key.getAsInt() + 1);
        String named = null;
        for (JsonNode subject : statement.path("subject")) {
            Iterator<Map.Entry<String, JsonNode>> digests = subject.path("digest").fields();
            while (digests.hasNext()) {
                Map.Entry<String, JsonNode> digest = digests.next();
                String value = digest.getKey() + ":" + digest.getValue().asText();
                if (value.equals(image.value())) {
                    return Verdict.pass(how);
                }
                named = named == null ? value : named;
            }
        }
        return naming(image, named, how);
    }

    private Verdict verifyMessageSignature(Digest image, JsonNode bundle, JsonNode messageSignature) {
        JsonNode messageDigest = messageSignature.path("messageDigest");
        String algorithm = MESSAGE_DIGESTS.get(messageDigest.path("algorithm").asText());
        if (algorithm == null) {
            return Verdict.fail("message digest algorithm \"" + messageDigest.path("algorithm").asText()
                    + "\" is not supported");
        }
        byte[] digest = base64(messageDigest.path("digest").asText(), "message digest");
        byte[] signature = base64(messageSignature.path("signature").asText(), "message signature");
        OptionalInt key = trustedKey(k -> KeyVerification.verifiesDigest(k, digest, signature));
        if (key.isEmpty()) {
            return untrusted(bundle);
        }
        String named;
        try {
            named = new Digest(algorithm, HexFormat.of().formatHex(digest)).value();
        } catch (RegistryException e) {
            return Verdict.fail("message digest is not a " + algorithm + " digest");
        }
        return naming(image, named, "Sigstore bundle (message signature) verified with trusted key #"
                + (key.getAsInt() + 1));
    }

    /** Keyless bundles carry a certificate instead of a key hint: say so, since only keys are trusted here. */
    private static Verdict untrusted(JsonNode bundle) {
        JsonNode material = bundle.path("verificationMaterial");
        boolean keyless = material.has("certificate") || material.has("x509CertificateChain");
        return Verdict.fail(keyless ? Verdict.UNTRUSTED + " (a keyless bundle, signed with a certificate)"
                : Verdict.UNTRUSTED);
    }

    private OptionalInt trustedKey(Predicate<PublicKey> verifies) {
        for (int i = 0; i < keys.size(); i++) {
            if (verifies.test(keys.get(i))) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    private static Verdict naming(Digest image, String named, String how) {
        if (image.value().equals(named)) {
            return Verdict.pass(how);
        }
        return Verdict.fail("signature names " + (named == null ? "no digest" : named) + " not " + image);
    }

    /**
     * {@code docker-manifest-digest}; cosign's Go decoder matches the key case-insensitively, and
     * cosign's own specification spells it {@code Docker-manifest-digest}.
     */
    private static String manifestDigest(JsonNode image) {
        Iterator<Map.Entry<String, JsonNode>> fields = image.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase("docker-manifest-digest") && field.getValue().isTextual()) {
                return field.getValue().asText();
            }
        }
        return null;
    }

    /** Standard or URL-safe base64, padded or not, as protobuf's JSON mapping accepts. */
    private static byte[] base64(String value, String what) {
        try {
            return Base64.getDecoder().decode(value.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new MalformedSignatureException(what + " is not base64");
        }
    }
}
