package io.cargohold.signature;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.testkit.CosignFixtures;
import io.cargohold.testkit.TestImages;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CosignVerifier on signatures made as cosign makes them (CosignFixtures), good and bad. */
class CosignVerifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair TRUSTED = CosignFixtures.newKeyPair();
    private static final KeyPair OTHER = CosignFixtures.newKeyPair();
    private static final byte[] MANIFEST = "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final Digest IMAGE = Digest.sha256(MANIFEST);
    private static final Digest ELSEWHERE = Digest.sha256("another image".getBytes(StandardCharsets.UTF_8));

    private final CosignVerifier verifier = new CosignVerifier(List.of(TRUSTED.getPublic()));

    /** A .sig manifest with one payload per signer, and the payload blobs by digest. */
    private record SignatureManifest(byte[] manifest, Map<Digest, byte[]> payloads) {
    }

    @Test
    void dssePae_specExample_matchesTheSpecBytes() {
        byte[] pae = Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(pae, StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
        assertThat(pae).isEqualTo(CosignFixtures.pae("http://example.com/HelloWorld",
                "hello world".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void constructor_noKeys_isRefused() {
        assertThatThrownBy(() -> new CosignVerifier(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verifySimpleSigning_signedByTrustedKey_passes() {
        SignatureManifest sig = signatureManifest(IMAGE, TRUSTED);

        Verdict verdict = verifier.verifySimpleSigning(IMAGE, sig.manifest(), sig.payloads()::get);

        assertThat(verdict).isEqualTo(Verdict.pass("simple-signing signature verified with trusted key #1"));
    }

    @Test
    void verifySimpleSigning_oneOfSeveralSignaturesByTheSecondTrustedKey_passes() {
        SignatureManifest sig = signatureManifest(IMAGE, OTHER, TRUSTED);
        CosignVerifier twoKeys = new CosignVerifier(List.of(CosignFixtures.newKeyPair().getPublic(), TRUSTED.getPublic()));

        Verdict verdict = twoKeys.verifySimpleSigning(IMAGE, sig.manifest(), sig.payloads()::get);

        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.reason()).endsWith("trusted key #2");
    }

    @Test
    void verifySimpleSigning_signedByAnotherKey_failsUntrusted() {
        SignatureManifest sig = signatureManifest(IMAGE, OTHER);

        assertThat(verifier.verifySimpleSigning(IMAGE, sig.manifest(), sig.payloads()::get))
                .isEqualTo(Verdict.fail("signature does not verify with any trusted key"));
    }

    @Test
    void verifySimpleSigning_signatureNamesAnotherDigest_failsNamingBoth() {
        SignatureManifest sig = signatureManifest(ELSEWHERE, TRUSTED);

        assertThat(verifier.verifySimpleSigning(IMAGE, sig.manifest(), sig.payloads()::get))
                .isEqualTo(Verdict.fail("signature names " + ELSEWHERE + " not " + IMAGE));
    }

    @Test
    void verifySimpleSigning_payloadTamperedWithAndReDescribed_failsUntrusted() {
        byte[] signed = CosignFixtures.simpleSigningPayload("registry.test/app", ELSEWHERE);
        String signature = CosignFixtures.sign(TRUSTED.getPrivate(), signed);
        byte[] tampered = CosignFixtures.simpleSigningPayload("registry.test/app", IMAGE);
        Descriptor payload = new Descriptor(CosignArtifacts.SIMPLE_SIGNING_TYPE, Digest.sha256(tampered), tampered.length);
        byte[] manifest = CosignFixtures.signatureManifest(List.of(payload), List.of(signature), payload);

        assertThat(verifier.verifySimpleSigning(IMAGE, manifest, Map.of(payload.digest(), tampered)::get))
                .isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
        assertThat(verifier.verifySimpleSignature(IMAGE, tampered, signature)).isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifySimpleSigning_payloadNotMatchingItsDigest_failsAsNotFetched() {
        SignatureManifest sig = signatureManifest(IMAGE, TRUSTED);
        Digest payload = sig.payloads().keySet().iterator().next();

        Verdict verdict = verifier.verifySimpleSigning(IMAGE, sig.manifest(), d -> "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(verdict).isEqualTo(Verdict.fail("signature payload " + payload + " could not be fetched"));
    }

    @Test
    void verifySimpleSigning_noSignatureLayers_failsNoSignatures() {
        byte[] manifest = CosignFixtures.signatureManifest(List.of(), List.of(),
                new Descriptor(TestImages.CONFIG_TYPE, IMAGE, 2));

        assertThat(verifier.verifySimpleSigning(IMAGE, manifest, d -> null)).isEqualTo(Verdict.fail("no signatures"));
    }

    @Test
    void verifySimpleSigning_signedPayloadOfAnotherType_fails() {
        byte[] payload = ("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + IMAGE
                + "\"},\"type\":\"atomic container signature\"}}").getBytes(StandardCharsets.UTF_8);

        assertThat(verifier.verifySimpleSignature(IMAGE, payload, CosignFixtures.sign(TRUSTED.getPrivate(), payload)))
                .isEqualTo(Verdict.fail("signed payload is not a cosign container image signature"));
    }

    @Test
    void verifySimpleSigning_notJson_failsSayingSo() {
        assertThat(verifier.verifySimpleSigning(IMAGE, "not json".getBytes(StandardCharsets.UTF_8), d -> null))
                .isEqualTo(Verdict.fail("signature manifest is not valid JSON"));
    }

    @Test
    void verifyBundle_dsseSignedByTrustedKey_passes() {
        byte[] bundle = CosignFixtures.signatureBundle(TRUSTED, "library/app", IMAGE);

        assertThat(verifier.verifyBundle(IMAGE, bundle))
                .isEqualTo(Verdict.pass("Sigstore bundle (DSSE) verified with trusted key #1"));
    }

    @Test
    void verifyBundle_dsseSignedByAnotherKey_failsUntrusted() {
        byte[] bundle = CosignFixtures.signatureBundle(OTHER, "library/app", IMAGE);

        assertThat(verifier.verifyBundle(IMAGE, bundle)).isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifyBundle_dsseNamesAnotherDigest_failsNamingBoth() {
        byte[] bundle = CosignFixtures.signatureBundle(TRUSTED, "library/app", ELSEWHERE);

        assertThat(verifier.verifyBundle(IMAGE, bundle))
                .isEqualTo(Verdict.fail("signature names " + ELSEWHERE + " not " + IMAGE));
    }

    @Test
    void verifyBundle_dssePayloadSwappedUnderItsSignature_failsUntrusted() throws Exception {
        ObjectNode bundle = (ObjectNode) JSON.readTree(CosignFixtures.signatureBundle(TRUSTED, "library/app", ELSEWHERE));
        ((ObjectNode) bundle.get("dsseEnvelope")).put("payload", Base64.getEncoder()
                .encodeToString(CosignFixtures.signStatement("library/app", IMAGE)));

        assertThat(verifier.verifyBundle(IMAGE, JSON.writeValueAsBytes(bundle))).isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifyBundle_payloadTypeChangedUnderItsSignature_failsUntrusted() throws Exception {
        ObjectNode bundle = (ObjectNode) JSON.readTree(CosignFixtures.signatureBundle(TRUSTED, "library/app", IMAGE));
        ((ObjectNode) bundle.get("dsseEnvelope")).put("payloadType", "application/json");

        assertThat(verifier.verifyBundle(IMAGE, JSON.writeValueAsBytes(bundle))).isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifyBundle_signedAttestationOfAnotherPredicate_failsAsNoSignature() {
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\""
                + IMAGE.hex() + "\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] bundle = CosignFixtures.dsseBundle(TRUSTED, "application/vnd.in-toto+json", statement);

        assertThat(verifier.verifyBundle(IMAGE, bundle)).isEqualTo(Verdict.fail(
                "signed statement is a https://slsa.dev/provenance/v1 attestation, not a cosign signature"));
    }

    @Test
    void verifyBundle_keylessBundle_failsSayingItIsKeyless() throws Exception {
        ObjectNode bundle = (ObjectNode) JSON.readTree(CosignFixtures.signatureBundle(OTHER, "library/app", IMAGE));
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("certificate").put("rawBytes", "MIIB");

        assertThat(verifier.verifyBundle(IMAGE, JSON.writeValueAsBytes(bundle))).isEqualTo(
                Verdict.fail("signature does not verify with any trusted key (a keyless bundle, signed with a certificate)"));
    }

    @Test
    void verifyBundle_messageSignatureOverTheManifest_passes() {
        byte[] bundle = CosignFixtures.messageSignatureBundle(TRUSTED, MANIFEST);

        assertThat(verifier.verifyBundle(IMAGE, bundle))
                .isEqualTo(Verdict.pass("Sigstore bundle (message signature) verified with trusted key #1"));
    }

    @Test
    void verifyBundle_messageSignatureOverAnotherManifest_failsNamingBoth() {
        byte[] other = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] bundle = CosignFixtures.messageSignatureBundle(TRUSTED, other);

        assertThat(verifier.verifyBundle(IMAGE, bundle))
                .isEqualTo(Verdict.fail("signature names " + Digest.sha256(other) + " not " + IMAGE));
    }

    @Test
    void verifyBundle_messageSignatureWithDigestSwapped_failsUntrusted() throws Exception {
        byte[] other = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        ObjectNode bundle = (ObjectNode) JSON.readTree(CosignFixtures.messageSignatureBundle(TRUSTED, other));
        ((ObjectNode) bundle.get("messageSignature").get("messageDigest")).put("digest",
                Base64.getEncoder().encodeToString(HexFormat.of().parseHex(IMAGE.hex())));

        assertThat(verifier.verifyBundle(IMAGE, JSON.writeValueAsBytes(bundle))).isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifyBundle_rsaAndEd25519Keys_verifyTheirSignatures() throws Exception {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        KeyPair rsa = rsaGenerator.generateKeyPair();
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        CosignVerifier both = new CosignVerifier(List.of(rsa.getPublic(), ed25519.getPublic()));

        assertThat(both.verifyBundle(IMAGE, CosignFixtures.signatureBundle(rsa, "library/app", IMAGE)).reason())
                .isEqualTo("Sigstore bundle (DSSE) verified with trusted key #1");
        assertThat(both.verifyBundle(IMAGE, CosignFixtures.signatureBundle(ed25519, "library/app", IMAGE)).reason())
                .isEqualTo("Sigstore bundle (DSSE) verified with trusted key #2");
        assertThat(both.verifyBundle(IMAGE, CosignFixtures.messageSignatureBundle(rsa, MANIFEST)).passed()).isTrue();
        assertThat(both.verifyBundle(IMAGE, CosignFixtures.signatureBundle(TRUSTED, "library/app", IMAGE)))
                .isEqualTo(Verdict.fail(Verdict.UNTRUSTED));
    }

    @Test
    void verifyBundle_notABundle_failsSayingSo() {
        assertThat(verifier.verifyBundle(IMAGE, "{\"mediaType\":\"application/json\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Verdict.fail("not a Sigstore bundle: media type \"application/json\""));
        assertThat(verifier.verifyBundle(IMAGE, "[]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Verdict.fail("Sigstore bundle is not a JSON object"));
    }

    @Test
    void anyOf_failuresOnly_joinsDistinctReasons() {
        assertThat(Verdict.anyOf(List.of())).isEqualTo(Verdict.fail("no signatures"));
        assertThat(Verdict.anyOf(List.of(Verdict.fail("a"), Verdict.fail("b"), Verdict.fail("a"))))
                .isEqualTo(Verdict.fail("a; b"));
        assertThat(Verdict.anyOf(List.of(Verdict.fail("a"), Verdict.pass("ok")))).isEqualTo(Verdict.pass("ok"));
    }

    private static SignatureManifest signatureManifest(Digest named, KeyPair... signers) {
        Map<Digest, byte[]> payloads = new HashMap<>();
        List<Descriptor> descriptors = new ArrayList<>();
        List<String> signatures = new ArrayList<>();
        for (KeyPair signer : signers) {
            byte[] payload = CosignFixtures.simpleSigningPayload("registry.test/app:" + descriptors.size(), named);
            Descriptor descriptor = new Descriptor(CosignArtifacts.SIMPLE_SIGNING_TYPE, Digest.sha256(payload),
                    payload.length);
            payloads.put(descriptor.digest(), payload);
            descriptors.add(descriptor);
            signatures.add(CosignFixtures.sign(signer.getPrivate(), payload));
        }
        byte[] config = CosignFixtures.signatureConfig(descriptors);
        byte[] manifest = CosignFixtures.signatureManifest(descriptors, signatures,
                new Descriptor(TestImages.CONFIG_TYPE, Digest.sha256(config), config.length));
        return new SignatureManifest(manifest, payloads);
    }
}
