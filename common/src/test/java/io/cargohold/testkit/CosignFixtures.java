package io.cargohold.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.signature.CosignArtifacts;
import io.cargohold.signature.CosignVerifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Signs test images as cosign does with a key pair, without cosign: an ECDSA P-256 key (its
 * public half as a PEM file, as {@code cosign generate-key-pair} writes {@code cosign.pub}); the
 * cosign 2.x signature, a {@code sha256-<hex>.sig} manifest whose layer is the simple-signing
 * payload with the signature in its annotation; and the cosign 3.x signature, a key-signed
 * Sigstore bundle (a DSSE envelope of an in-toto statement) in an artifact manifest whose
 * {@code subject} is the image, listed in a {@code sha256-<hex>} index as the referrers tag schema
 * wants (distribution 2.8 has no referrers API: cosign writes that index itself then). A key and a
 * digest to name are parameters, so negative fixtures are the same calls with another key or
 * another digest. Everything is written into the image's OCI layout under a ref name, and pushed
 * with skopeo ({@link #pushTag}, {@link #pushReferrer}).
 */
public final class CosignFixtures {

    public static final String EMPTY_TYPE = "application/vnd.oci.empty.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CosignFixtures() {
    }

    /** A new ECDSA P-256 key pair, what {@code cosign generate-key-pair} makes. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key as a PEM {@code PUBLIC KEY} block (X.509 SubjectPublicKeyInfo). */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** Writes {@link #pem} to {@code file} and returns it. */
    public static Path writePublicKeyPem(PublicKey key, Path file) {
        try {
            Files.writeString(file, pem(key));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base64 signature over {@code data}, with the algorithm cosign uses for the key. */
    public static String sign(PrivateKey key, byte[] data) {
        try {
            Signature signer = Signature.getInstance(key instanceof ECPrivateKey ? "SHA256withECDSA"
                    : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "Ed25519");
            signer.initSign(key);
            signer.update(data);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The simple-signing payload cosign 2.x signs for an image. */
    public static byte[] simpleSigningPayload(String dockerReference, Digest named) {
        ObjectNode payload = JSON.createObjectNode();
        ObjectNode critical = payload.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", named.value());
        critical.put("type", CosignVerifier.SIMPLE_SIGNING_CLAIM);
        payload.putNull("optional");
        return TestImages.bytes(payload);
    }

    /**
     * The in-toto statement cosign 3.x signs for an image: its subject names the digest, its
     * predicate type is cosign's signature predicate.
     */
    public static byte[] signStatement(String repository, Digest named) {
        ObjectNode statement = JSON.createObjectNode();
        statement.put("_type", "https://in-toto.io/Statement/v1");
        ObjectNode subject = statement.putArray("subject").addObject();
        subject.put("name", repository);
        subject.putObject("digest").put(named.algorithm(), named.hex());
        statement.put("predicateType", CosignVerifier.SIGN_PREDICATE);
        statement.putObject("predicate");
        return TestImages.bytes(statement);
    }

    /** A key-signed Sigstore bundle: a DSSE envelope of {@code payload} signed over its PAE encoding. */
    public static byte[] dsseBundle(KeyPair keys, String payloadType, byte[] payload) {
        ObjectNode bundle = bundleFor(keys.getPublic());
        ObjectNode envelope = bundle.putObject("dsseEnvelope");
        envelope.put("payload", Base64.getEncoder().encodeToString(payload));
        envelope.put("payloadType", payloadType);
        envelope.putArray("signatures").addObject()
                .put("sig", sign(keys.getPrivate(), pae(payloadType, payload)))
                .put("keyid", "");
        return TestImages.bytes(bundle);
    }

    /** The bundle cosign 3.x attaches to an image: a DSSE envelope of {@link #signStatement}. */
    public static byte[] signatureBundle(KeyPair keys, String repository, Digest named) {
        return dsseBundle(keys, "application/vnd.in-toto+json", signStatement(repository, named));
    }

    /** A key-signed bundle with a message signature over {@code artifact} (an image manifest). */
    public static byte[] messageSignatureBundle(KeyPair keys, byte[] artifact) {
        ObjectNode bundle = bundleFor(keys.getPublic());
        ObjectNode messageSignature = bundle.putObject("messageSignature");
        messageSignature.putObject("messageDigest")
                .put("algorithm", "SHA2_256")
                .put("digest", Base64.getEncoder().encodeToString(
                        HexFormat.of().parseHex(Digest.sha256(artifact).hex())));
        messageSignature.put("signature", sign(keys.getPrivate(), artifact));
        return TestImages.bytes(bundle);
    }

    /** DSSE's pre-authentication encoding, written out independently of the verifier's. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        String head = "DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ";
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[headBytes.length + payload.length];
        System.arraycopy(headBytes, 0, pae, 0, headBytes.length);
        System.arraycopy(payload, 0, pae, headBytes.length, payload.length);
        return pae;
    }

    /**
     * A cosign 2.x {@code .sig} manifest with one simple-signing layer per payload, each layer
     * annotated with its signature; its config is the image config cosign writes for it.
     */
    public static byte[] signatureManifest(List<Descriptor> payloads, List<String> signatures, Descriptor config) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaType.OCI_MANIFEST);
        manifest.set("config", TestImages.descriptorJson(config));
        ArrayNode layers = manifest.putArray("layers");
        for (int i = 0; i < payloads.size(); i++) {
            ObjectNode layer = TestImages.descriptorJson(payloads.get(i));
            layer.putObject("annotations").put(CosignArtifacts.SIGNATURE_ANNOTATION, signatures.get(i));
            layers.add(layer);
        }
        return TestImages.bytes(manifest);
    }

    /** The config blob of a {@code .sig} manifest: an image config whose layers are the payloads. */
    public static byte[] signatureConfig(List<Descriptor> payloads) {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.put("os", "");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        payloads.forEach(payload -> diffIds.add(payload.digest().value()));
        return TestImages.bytes(config);
    }

    /** The artifact manifest cosign 3.x pushes for a bundle: subject the image, one bundle layer. */
    public static byte[] bundleManifest(Descriptor subject, Descriptor bundle, Descriptor emptyConfig) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaType.OCI_MANIFEST);
        manifest.put("artifactType", CosignArtifacts.BUNDLE_TYPE);
        manifest.set("config", TestImages.descriptorJson(emptyConfig));
        manifest.putArray("layers").add(TestImages.descriptorJson(bundle));
        manifest.set("subject", TestImages.descriptorJson(subject));
        manifest.putObject("annotations")
                .put("dev.sigstore.bundle.content", "dsse-envelope")
                .put("dev.sigstore.bundle.predicateType", CosignVerifier.SIGN_PREDICATE);
        return TestImages.bytes(manifest);
    }

    /** An OCI index listing bundle manifests, as the referrers API or the referrers tag schema answers. */
    public static byte[] referrersIndex(List<Descriptor> bundleManifests) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaType.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        bundleManifests.forEach(manifest -> manifests.add(TestImages.descriptorJson(manifest)
                .put("artifactType", CosignArtifacts.BUNDLE_TYPE)));
        return TestImages.bytes(index);
    }

    /**
     * Writes the cosign 2.x signature of {@code image} into its layout under the ref name
     * {@code sha256-<hex>.sig}: {@code keys} sign a payload naming {@code named}.
     */
    public static String writeSimpleSigning(TestImages.LayoutEntry image, String dockerReference, KeyPair keys,
                                            Digest named) {
        Path layout = image.layout();
        byte[] payload = simpleSigningPayload(dockerReference, named);
        Descriptor payloadDescriptor = new Descriptor(CosignArtifacts.SIMPLE_SIGNING_TYPE,
                TestImages.writeBlob(layout, payload), payload.length);
        byte[] config = signatureConfig(List.of(payloadDescriptor));
        Descriptor configDescriptor = new Descriptor(TestImages.CONFIG_TYPE, TestImages.writeBlob(layout, config),
                config.length);
        byte[] manifest = signatureManifest(List.of(payloadDescriptor), List.of(sign(keys.getPrivate(), payload)),
                configDescriptor);
        String refName = CosignArtifacts.signatureTag(image.digest()).value();
        TestImages.addToIndex(layout, new Descriptor(MediaType.OCI_MANIFEST, TestImages.writeBlob(layout, manifest),
                manifest.length), refName);
        return refName;
    }

    /** A bundle's artifact manifest written into a layout under {@code refName}, for {@link #pushReferrer}. */
    public record Referrer(String refName, Descriptor manifest, Digest subject) {
    }

    /**
     * Writes the cosign 3.x signature of {@code image} into its layout: the bundle ({@code keys}
     * sign a statement naming {@code named}) and its artifact manifest, whose subject is the image.
     */
    public static Referrer writeBundle(TestImages.LayoutEntry image, String repository, KeyPair keys, Digest named) {
        Path layout = image.layout();
        byte[] bundle = signatureBundle(keys, repository, named);
        Descriptor bundleDescriptor = new Descriptor(CosignArtifacts.BUNDLE_TYPE, TestImages.writeBlob(layout, bundle),
                bundle.length);
        byte[] empty = "{}".getBytes(StandardCharsets.US_ASCII);
        Descriptor emptyDescriptor = new Descriptor(EMPTY_TYPE, TestImages.writeBlob(layout, empty), empty.length);
        byte[] manifest = bundleManifest(new Descriptor(image.mediaType(), image.digest(), image.content().length),
                bundleDescriptor, emptyDescriptor);
        Descriptor manifestDescriptor = new Descriptor(MediaType.OCI_MANIFEST, TestImages.writeBlob(layout, manifest),
                manifest.length);
        String refName = "cosign-bundle-" + manifestDescriptor.digest().hex();
        TestImages.addToIndex(layout, manifestDescriptor, refName);
        return new Referrer(refName, manifestDescriptor, image.digest());
    }

    /**
     * Copies what {@code refName} names in {@code layout} (a {@code .sig} manifest) to
     * {@code repository:refName} in the registry with skopeo, keeping digests.
     */
    public static void pushTag(UpstreamRegistry registry, Path layout, String refName, String repository) {
        skopeoCopy(registry, layout, refName, repository + ":" + refName);
    }

    /**
     * Pushes a bundle's artifact manifest by digest with skopeo, then the referrers index of its
     * subject ({@code sha256-<hex>}, listing it alone) as cosign does on a registry without the
     * referrers API. The index goes up with a plain PUT: skopeo 1.9 drops the {@code artifactType}
     * of index entries, which the referrers tag schema needs.
     */
    public static void pushReferrer(UpstreamRegistry registry, Path layout, Referrer referrer, String repository) {
        skopeoCopy(registry, layout, referrer.refName(), repository + "@" + referrer.manifest().digest());
        putManifest(registry, repository, CosignArtifacts.referrersTag(referrer.subject()).value(), MediaType.OCI_INDEX,
                referrersIndex(List.of(referrer.manifest())));
    }

    private static void skopeoCopy(UpstreamRegistry registry, Path layout, String refName, String destination) {
        List<String> args = new ArrayList<>(List.of("--dest-tls-verify=false", "--preserve-digests"));
        registry.credentials().ifPresent(c -> args.add("--dest-creds=" + c.username() + ":" + c.password()));
        Skopeo.copy("oci:" + layout + ":" + refName, "docker://" + registry.hostPort() + "/" + destination,
                args.toArray(String[]::new));
    }

    /** {@code PUT /v2/<repository>/manifests/<reference>}, with basic credentials when the registry has them. */
    private static void putManifest(UpstreamRegistry registry, String repository, String reference, String mediaType,
                                    byte[] content) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(registry.url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
        registry.credentials().ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("PUT manifest " + repository + ":" + reference + " answered "
                        + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static ObjectNode bundleFor(PublicKey key) {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("mediaType", CosignArtifacts.BUNDLE_TYPE);
        bundle.putObject("verificationMaterial").putObject("publicKey")
                .put("hint", Base64.getEncoder().encodeToString(
                        HexFormat.of().parseHex(Digest.sha256(key.getEncoded()).hex())));
        return bundle;
    }
}
