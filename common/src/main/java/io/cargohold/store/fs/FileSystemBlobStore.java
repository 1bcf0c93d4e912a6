package io.cargohold.store.fs;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.cargohold.store.OpenSpools;
import io.cargohold.store.SpooledBlobWriter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Blobs on a local filesystem, content-addressed: {@code <root>/blobs/<algorithm>/<first two hex>/<hex>}.
 * Writers write to {@code <root>/uploads/<uuid>} on the same filesystem and a verified commit
 * renames the file into place atomically, so a reader never sees a partial blob.
 * Every blocking filesystem call runs on a worker thread, never on the event loop, except the one
 * {@code stat} of {@link #stat} and {@link #open}: a read's look-up is a single metadata call, as
 * cheap as the open Vert.x's {@code sendFile} does on the event loop anyway, while the two hops to a
 * worker thread and back cost a cached blob GET more than its headers (issue 13).
 */
public final class FileSystemBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileSystemBlobStore.class);

    private final Vertx vertx;
    private final Path root;
    private final Path blobs;
    private final Path uploads;
    private volatile boolean uploadsReady;
    private final OpenSpools openUploads = new OpenSpools();

    /** Does no I/O; call {@link #initialize()} at start-up to create the layout and clean up. */
    public FileSystemBlobStore(Vertx vertx, Path root) {
        this.vertx = vertx;
        this.root = root.toAbsolutePath();
        this.blobs = this.root.resolve("blobs");
        this.uploads = this.root.resolve("uploads");
    }

    public Path root() {
        return root;
    }

    /** The directory writers write into before they commit. */
    public Path uploadsDirectory() {
        return uploads;
    }

    /** Where a committed blob lives (whether or not it is stored). */
    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    /**
     * Creates the directories and removes every upload: no writer runs yet, and the metadata database
     * locks the directory to this process. Then sweeps uploads no writer owns every
     * {@link OpenSpools#SWEEP_INTERVAL}.
     */
    public Future<Void> initialize() {
        return blocking(() -> {
            Files.createDirectories(blobs);
            Files.createDirectories(uploads);
            uploadsReady = true;
            return null;
        }).compose(v -> removeStaleUploads(Duration.ZERO)).onSuccess(v -> vertx.setPeriodic(
                OpenSpools.SWEEP_INTERVAL.toMillis(), id -> removeStaleUploads(OpenSpools.LEFTOVER_AGE))).mapEmpty();
    }

    /**
     * Deletes upload files no running writer owns, last modified more than {@code maxAge} ago; answers
     * how many it deleted.
     */
    public Future<Integer> removeStaleUploads(Duration maxAge) {
        return blocking(() -> {
            int removed = openUploads.removeLeftovers(uploads, Instant.now().minus(maxAge));
            if (removed > 0) {
                LOG.info("removed {} uploads no writer owns from {}", removed, uploads);
            }
            return removed;
        });
    }

    /**
     * Every committed blob, with its size and last-modified time, found by walking the layout;
     * files that are not where a digest puts them are skipped.
     */
    @Override
    public Future<List<StoredBlob>> list() {
        return blocking(() -> {
            List<StoredBlob> found = new ArrayList<>();
            if (!Files.isDirectory(blobs)) {
                return found;
            }
            try (Stream<Path> files = Files.find(blobs, 3, (path, attributes) -> attributes.isRegularFile())) {
                files.forEach(file -> storedBlob(file).ifPresent(found::add));
            }
            return found;
        });
    }

    /**
     * Walks the layout in name order from {@code after}'s directory on, reading one directory at a
     * time: a page costs the directories it spans, not the whole store.
     */
    @Override
    public Future<List<StoredBlob>> list(Digest after, int limit) {
        return blocking(() -> {
            List<StoredBlob> page = new ArrayList<>();
            for (String algorithm : sortedNames(blobs, "/")) {
                if (after != null && (algorithm + "/").compareTo(after.algorithm() + "/") < 0) {
                    continue;
                }
                boolean sameAlgorithm = after != null && algorithm.equals(after.algorithm());
                Path algorithmDirectory = blobs.resolve(algorithm);
                for (String prefix : sortedNames(algorithmDirectory, "")) {
                    if (sameAlgorithm && prefix.compareTo(after.hex().substring(0, 2)) < 0) {
                        continue;
                    }
                    for (String hex : sortedNames(algorithmDirectory.resolve(prefix), "")) {
                        if (sameAlgorithm && hex.compareTo(after.hex()) <= 0) {
                            continue;
                        }
                        storedBlob(algorithmDirectory.resolve(prefix).resolve(hex)).ifPresent(page::add);
                        if (page.size() == limit) {
                            return page;
                        }
                    }
                }
            }
            return page;
        });
    }

    @Override
    public Future<Boolean> delete(Digest digest) {
        Path path = blobPath(digest);
        return blocking(() -> Files.deleteIfExists(path));
    }

    @Override
    public Future<Optional<Long>> stat(Digest digest) {
        try {
            return Future.succeededFuture(Optional.of(Files.size(blobPath(digest))));
        } catch (NoSuchFileException e) {
            return Future.succeededFuture(Optional.empty());
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
    }

    @Override
    public Future<BlobContent> open(Digest digest, ByteRange range) {
        Path path = blobPath(digest);
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return Future.failedFuture(RegistryException.blobUnknown(digest));
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        if (range.offset() < 0 || range.length() < 0 || range.offset() + range.length() > size) {
            return Future.failedFuture(new RegistryException(OciErrorCode.RANGE_INVALID,
                    "requested range not satisfiable", range.offset() + "-" + range.end() + "/" + size));
        }
        return Future.succeededFuture(new BlobContent.FileRegion(path, range.offset(), range.length()));
    }

    @Override
    public BlobWriter create() {
        Path temp = openUploads.opened(uploads.resolve(UUID.randomUUID().toString()));
        Future<Void> ready = uploadsReady ? Future.succeededFuture() : blocking(() -> {
            Files.createDirectories(uploads);
            uploadsReady = true;
            return null;
        });
        return new SpooledBlobWriter(temp, ready.compose(v -> vertx.fileSystem()
                .open(temp.toString(), new OpenOptions().setRead(false).setWrite(true).setCreateNew(true))),
                (file, computed, expected) -> publish(file, computed, expected)
                        .onComplete(done -> openUploads.closed(file)),
                file -> deleteUpload(file).onComplete(done -> openUploads.closed(file)));
    }

    /** The usable space of the filesystem holding the uploads, which a commit renames into place. */
    @Override
    public OptionalLong freeSpace() {
        return SpooledBlobWriter.usableSpace(uploads);
    }

    /**
     * Makes the closed upload {@code temp} durable, checks it against {@code expected} and renames it
     * into place; deletes it on a mismatch. {@code computed} is the digest hashed while writing.
     */
    Future<Void> publish(Path temp, Digest computed, Digest expected) {
        return blocking(() -> {
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                SpooledBlobWriter.verify(temp, computed, expected);
                Path target = blobPath(expected);
                if (Files.exists(target)) {
                    Files.deleteIfExists(temp);
                    return null;
                }
                Files.createDirectories(target.getParent());
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    Files.deleteIfExists(temp);
                }
                syncDirectory(target.getParent());
                return null;
            } catch (RuntimeException | IOException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        });
    }

    Future<Void> deleteUpload(Path temp) {
        return blocking(() -> {
            Files.deleteIfExists(temp);
            return null;
        });
    }

    private Optional<StoredBlob> storedBlob(Path file) {
        Path relative = blobs.relativize(file);
        if (relative.getNameCount() != 3) {
            return Optional.empty();
        }
        Digest digest;
        try {
            digest = new Digest(relative.getName(0).toString(), relative.getName(2).toString());
        } catch (RegistryException notADigest) {
            return Optional.empty();
        }
        if (!blobPath(digest).equals(file)) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new StoredBlob(digest, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (IOException removedMeanwhile) {
            return Optional.empty();
        }
    }

    /**
     * The names in {@code directory} in the order of {@code name + suffix} (the listing order puts a
     * separator after algorithm names); none when it is not a directory.
     */
    private static List<String> sortedNames(Path directory, String suffix) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .sorted(Comparator.comparing(name -> name + suffix))
                    .toList();
        } catch (NoSuchFileException removedMeanwhile) {
            return List.of();
        }
    }

    /** Syncs a directory so that a rename into it survives a crash; best effort. */
    static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every filesystem lets a directory be synced; the rename itself is still atomic.
            LOG.debug("could not sync directory {}: {}", directory, e.toString());
        }
    }

    /** Runs blocking filesystem work on a worker thread, unordered so that calls do not queue behind each other. */
    private <T> Future<T> blocking(Callable<T> call) {
        return vertx.executeBlocking(call, false);
    }
}
