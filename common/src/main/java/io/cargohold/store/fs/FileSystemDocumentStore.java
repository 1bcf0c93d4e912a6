package io.cargohold.store.fs;

import io.cargohold.spi.DocumentStore;
import io.cargohold.store.rocksdb.RocksDbDocumentStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Metadata documents as files under a directory: how earlier versions kept a filesystem node's
 * metadata, read now to import it into {@link RocksDbDocumentStore} (see DocumentDirectoryImport). Each {@code /}-separated segment of a key is one path element, with every
 * byte outside {@code [A-Za-z0-9_@:+=,-]} (dots and {@code %} included) percent-encoded, and the
 * last one ends in {@code .json}: {@code tags/hub/app:1.27} is {@code tags/hub/app:1%2E27.json}. So no key escapes the directory ({@code ..} is
 * {@code %2E%2E}), a file never clashes with a directory, and long repository names never make one
 * over-long file name. A put writes a temporary file, syncs it and renames it over the document.
 * Blocking: called from Hazelcast's map-store threads.
 */
public final class FileSystemDocumentStore implements DocumentStore {

    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".";

    private final Path directory;

    /** Does no I/O; directories are made as documents are put. */
    public FileSystemDocumentStore(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** Where the document {@code key} lives (whether or not it is stored). */
    private Path documentPath(String key) {
        String[] segments = segments(key);
        Path path = directory;
        for (int i = 0; i < segments.length - 1; i++) {
            path = path.resolve(encode(segments[i]));
        }
        return path.resolve(encode(segments[segments.length - 1]) + SUFFIX);
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path file = documentPath(key);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("reading document " + key + " from " + file, e);
        }
    }

    @Override
    public void put(String key, byte[] document) {
        Path file = documentPath(key);
        Path temp = file.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(document);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileSystemBlobStore.syncDirectory(file.getParent());
        } catch (IOException e) {
            deleteQuietly(temp);
            throw failure("storing document " + key + " in " + file, e);
        }
    }

    /** Leaves emptied directories in place: removing them would race with a put into them. */
    @Override
    public void delete(String key) {
        Path file = documentPath(key);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("deleting document " + key + " from " + file, e);
        }
    }

    @Override
    public List<String> keys(String prefix) {
        int lastSlash = prefix.lastIndexOf('/');
        Path start = directory;
        if (lastSlash > 0) {
            for (String segment : segments(prefix.substring(0, lastSlash))) {
                start = start.resolve(encode(segment));
            }
        }
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(this::isDocument)
                    .map(this::key)
                    .filter(key -> key.startsWith(prefix))
                    .forEach(keys::add);
        } catch (IOException e) {
            throw failure("listing documents under " + prefix + " in " + directory, e);
        } catch (UncheckedIOException e) {
            throw failure("listing documents under " + prefix + " in " + directory, e.getCause());
        }
        return keys;
    }

    /** Lists the whole prefix and sorts it: this layout has no order of its own (see {@link RocksDbDocumentStore}). */
    @Override
    public List<String> keys(String prefix, String startAfter, int limit) {
        return keys(prefix).stream().sorted()
                .filter(key -> startAfter == null || key.compareTo(startAfter) > 0)
                .limit(limit)
                .toList();
    }

    @Override
    public List<Document> documents(String prefix, String startAfter, int limit) {
        return keys(prefix, startAfter, limit).stream()
                .flatMap(key -> get(key).map(content -> new Document(key, content)).stream())
                .toList();
    }

    private boolean isDocument(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(SUFFIX) && !name.startsWith(TEMP_PREFIX) && Files.isRegularFile(path);
    }

    private String key(Path file) {
        Path relative = directory.relativize(file);
        List<String> segments = new ArrayList<>();
        for (Path name : relative) {
            segments.add(decode(name.toString()));
        }
        String last = segments.remove(segments.size() - 1);
        segments.add(last.substring(0, last.length() - SUFFIX.length()));
        return String.join("/", segments);
    }

    private static String[] segments(String key) {
        String[] segments = key.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("document key has an empty segment: '" + key + "'");
            }
        }
        return segments;
    }

    private static String encode(String segment) {
        StringBuilder encoded = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isSafe(c)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private static String decode(String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 2 < name.length()) {
                bytes.write(Integer.parseInt(name, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isSafe(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_@:+=,-".indexOf(c) >= 0;
    }

    private static UncheckedIOException failure(String attempted, IOException cause) {
        return new UncheckedIOException(attempted + " failed: " + cause, cause);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the put already failed; a leftover temporary file is skipped by listings
        }
    }
}
