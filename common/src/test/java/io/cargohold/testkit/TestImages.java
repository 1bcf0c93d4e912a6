package io.cargohold.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.MediaType;
import io.cargohold.oci.Platform;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random OCI images, generated deterministically from a seed and written as an OCI image layout
 * directory ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}) that skopeo reads
 * as {@code oci:<dir>:<refName>}. Layers are random bytes written streaming, so a test can make a
 * 1 GiB layer without holding it in memory; container daemons, which unpack what they pull, get
 * layers that are tar archives of such bytes ({@link #writeUnpackableImage}).
 */
public final class TestImages {

    public static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    public static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;
    private static final int TAR_BLOCK = 512;

    /** Writes a layer's bytes made from a seed and returns their digest. */
    private interface LayerWriter {
        Digest write(OutputStream out, long seed, long size) throws IOException;
    }

    private TestImages() {
    }

    /** Something written to a layout and named by a ref name: an image manifest or an index. */
    public sealed interface LayoutEntry permits Image, Index {
        Path layout();

        String refName();

        Digest digest();

        byte[] content();

        String mediaType();

        /** The skopeo source reference, {@code oci:<layout>:<refName>}. */
        default String ociReference() {
            return "oci:" + layout() + ":" + refName();
        }
    }

    /** An image manifest with its config and layers. */
    public record Image(Path layout, String refName, Digest digest, byte[] content, Descriptor config,
                        List<Descriptor> layers, Platform platform) implements LayoutEntry {

        @Override
        public String mediaType() {
            return MediaType.OCI_MANIFEST;
        }

        /** The config first, then the layers. */
        public List<Descriptor> blobs() {
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(config);
            blobs.addAll(layers);
            return blobs;
        }

        public Descriptor descriptor() {
            return new Descriptor(MediaType.OCI_MANIFEST, digest, content.length, platform);
        }
    }

    /** An image index with one image per platform. */
    public record Index(Path layout, String refName, Digest digest, byte[] content, List<Image> images)
            implements LayoutEntry {

        @Override
        public String mediaType() {
            return MediaType.OCI_INDEX;
        }
    }

    /**
     * Writes a linux/amd64 image with one layer per size into {@code layout} (created if needed)
     * and names it {@code refName} in index.json.
     */
    public static Image writeImage(Path layout, String refName, long seed, long... layerSizes) {
        Image image = image(layout, refName, seed, new Platform("linux", "amd64", ""), TestImages::writeRandom,
                layerSizes);
        addToIndex(layout, image.descriptor(), refName);
        return image;
    }

    /**
     * Writes a linux/amd64 image the Docker daemon and containerd can unpack: each layer an
     * uncompressed tar archive holding one file of {@code fileSizes[i]} random bytes (so the
     * config's diff_ids are the layers' digests), named {@code refName} in index.json.
     */
    public static Image writeUnpackableImage(Path layout, String refName, long seed, long... fileSizes) {
        Image image = image(layout, refName, seed, new Platform("linux", "amd64", ""), TestImages::writeTar,
                fileSizes);
        addToIndex(layout, image.descriptor(), refName);
        return image;
    }

    /**
     * Writes an index for linux/amd64 and linux/arm64, each image with one layer per size (their
     * content differs), and names the index {@code refName} in index.json.
     */
    public static Index writeIndex(Path layout, String refName, long seed, long... layerSizes) {
        List<Image> images = List.of(
                image(layout, null, seed * 7919 + 1, new Platform("linux", "amd64", ""), TestImages::writeRandom,
                        layerSizes),
                image(layout, null, seed * 7919 + 2, new Platform("linux", "arm64", ""), TestImages::writeRandom,
                        layerSizes));
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaType.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Image image : images) {
            ObjectNode entry = descriptorJson(image.descriptor());
            ObjectNode platform = entry.putObject("platform");
            platform.put("architecture", image.platform().architecture());
            platform.put("os", image.platform().os());
            manifests.add(entry);
        }
        byte[] content = bytes(index);
        Digest digest = writeBlob(layout, content);
        addToIndex(layout, new Descriptor(MediaType.OCI_INDEX, digest, content.length), refName);
        return new Index(layout, refName, digest, content, images);
    }

    /** Where a blob of the layout is stored. */
    public static Path blobPath(Path layout, Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** The bytes {@link #writeImage} puts in a layer made from this seed, streamed to {@code out}. */
    public static Digest writeRandom(OutputStream out, long seed, long size) throws IOException {
        MessageDigest hasher = Digest.sha256Hasher();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(size, 1))];
        try (DigestOutputStream digesting = new DigestOutputStream(nonClosing(out), hasher)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                random.nextBytes(chunk);
                digesting.write(chunk, 0, n);
                left -= n;
            }
        }
        return Digest.of(hasher);
    }

    /** A tar archive of one regular file, {@code seed-<seed>}, holding {@link #writeRandom}'s bytes. */
    private static Digest writeTar(OutputStream out, long seed, long size) throws IOException {
        MessageDigest hasher = Digest.sha256Hasher();
        try (DigestOutputStream digesting = new DigestOutputStream(nonClosing(out), hasher)) {
            digesting.write(tarHeader("seed-" + seed, size));
            writeRandom(digesting, seed, size);
            digesting.write(new byte[(int) ((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK) + 2 * TAR_BLOCK]);
        }
        return Digest.of(hasher);
    }

    /** A ustar header: name, mode 0644, root-owned, the size, mtime 0, a regular file. */
    private static byte[] tarHeader(String name, long size) {
        byte[] header = new byte[TAR_BLOCK];
        putAscii(header, 0, name);
        putAscii(header, 100, "0000644");
        putAscii(header, 108, "0000000");
        putAscii(header, 116, "0000000");
        putAscii(header, 124, String.format("%011o", size));
        putAscii(header, 136, "00000000000");
        header[156] = '0';
        putAscii(header, 257, "ustar");
        putAscii(header, 263, "00");
        Arrays.fill(header, 148, 156, (byte) ' ');
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        putAscii(header, 148, String.format("%06o", checksum));
        header[154] = 0;
        return header;
    }

    private static void putAscii(byte[] target, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, target, offset, bytes.length);
    }

    private static Image image(Path layout, String refName, long seed, Platform platform, LayerWriter layerWriter,
                               long... layerSizes) {
        initLayout(layout);
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            long layerSeed = seed * 1_000_003L + i;
            layers.add(writeLayer(layout, layerWriter, layerSeed, layerSizes[i]));
        }
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", platform.architecture());
        config.put("os", platform.os());
        config.putObject("config").putArray("Env").add("CARGOHOLD_TEST_SEED=" + seed);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(layer -> diffIds.add(layer.digest().value()));
        byte[] configBytes = bytes(config);
        Descriptor configDescriptor = new Descriptor(CONFIG_TYPE, writeBlob(layout, configBytes), configBytes.length);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaType.OCI_MANIFEST);
        manifest.set("config", descriptorJson(configDescriptor));
        ArrayNode layerArray = manifest.putArray("layers");
        layers.forEach(layer -> layerArray.add(descriptorJson(layer)));
        byte[] content = bytes(manifest);
        Digest digest = writeBlob(layout, content);
        return new Image(layout, refName, digest, content, configDescriptor, List.copyOf(layers), platform);
    }

    /** Names {@code descriptor} {@code refName} in the layout's index.json, replacing what had that name. */
    public static synchronized void addToIndex(Path layout, Descriptor descriptor, String refName) {
        try {
            Path indexFile = layout.resolve("index.json");
            ObjectNode index = (ObjectNode) JSON.readTree(indexFile.toFile());
            ArrayNode manifests = (ArrayNode) index.get("manifests");
            for (int i = manifests.size() - 1; i >= 0; i--) {
                if (refName.equals(manifests.get(i).path("annotations").path(REF_NAME).asText(null))) {
                    manifests.remove(i);
                }
            }
            ObjectNode entry = descriptorJson(descriptor);
            entry.putObject("annotations").put(REF_NAME, refName);
            manifests.add(entry);
            Files.write(indexFile, bytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void initLayout(Path layout) {
        try {
            Files.createDirectories(layout.resolve("blobs").resolve("sha256"));
            Path marker = layout.resolve("oci-layout");
            if (!Files.exists(marker)) {
                Files.writeString(marker, "{\"imageLayoutVersion\":\"1.0.0\"}");
            }
            Path index = layout.resolve("index.json");
            if (!Files.exists(index)) {
                Files.writeString(index, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX
                        + "\",\"manifests\":[]}");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Descriptor writeLayer(Path layout, LayerWriter layerWriter, long seed, long size) {
        try {
            Path temp = Files.createTempFile(layout.resolve("blobs"), "layer", ".tmp");
            Digest digest;
            try (OutputStream out = Files.newOutputStream(temp)) {
                digest = layerWriter.write(out, seed, size);
            }
            long written = Files.size(temp);
            Files.move(temp, blobPath(layout, digest), StandardCopyOption.REPLACE_EXISTING);
            return new Descriptor(LAYER_TYPE, digest, written);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores {@code content} as a blob of the layout (created if needed) and returns its digest. */
    public static Digest writeBlob(Path layout, byte[] content) {
        initLayout(layout);
        Digest digest = Digest.sha256(content);
        try {
            Files.write(blobPath(layout, digest), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest;
    }

    /** A descriptor's JSON, as manifests and indexes list it. */
    static ObjectNode descriptorJson(Descriptor descriptor) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", descriptor.mediaType());
        node.put("digest", descriptor.digest().value());
        node.put("size", descriptor.size());
        return node;
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }
        };
    }
}
