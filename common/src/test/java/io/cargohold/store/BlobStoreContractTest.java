package io.cargohold.store;

import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.StoredBlob;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The behaviour every {@link BlobStore} adapter must have (distribution's storage driver test
 * suites): verified commits, nothing visible before commit, nothing left behind after a failed or
 * cancelled write, concurrent writers, a large stream through back-pressure, and no leaked uploads.
 */
@ExtendWith(VertxExtension.class)
public abstract class BlobStoreContractTest {

    protected static final long MIB = 1024 * 1024;

    protected Vertx vertx;
    protected BlobStore store;
    private Context context;

    /** Makes a store for one test, on fresh empty storage. */
    protected abstract Future<BlobStore> newStore(Vertx vertx);

    /** How many uploads (temporary files or objects) exist now; 0 once every writer committed or cancelled. */
    protected abstract Future<Long> uploadsInProgress();

    /** The size of the large stream test; adapters over slow storage may lower it. */
    protected long largeBlobSize() {
        return 256 * MIB;
    }

    @BeforeEach
    void startStore(Vertx vertx, VertxTestContext test) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        newStore(vertx).onComplete(test.succeeding(created -> {
            store = created;
            test.completeNow();
        }));
    }

    @AfterEach
    void uploads_afterEveryTest_noneLeftBehind(VertxTestContext test) {
        uploadsInProgress().onComplete(test.succeeding(count -> test.verify(() -> {
            assertThat(count).as("uploads left behind").isZero();
            test.completeNow();
        })));
    }

    @Test
    void commit_matchingDigest_blobCanBeStatedAndRead(VertxTestContext test) {
        byte[] content = bytes("hello, blob");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.stat(digest))
                .compose(size -> {
                    assertThat(size).contains((long) content.length);
                    return store.open(digest, ByteRange.all(content.length));
                })
                .compose(this::read)
                .onComplete(verify(test, read -> assertThat(read.getBytes()).isEqualTo(content)));
    }

    @Test
    void open_range_answersJustThoseBytes(VertxTestContext test) {
        byte[] content = bytes("0123456789abcdefghij");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).commit(digest))
                .compose(v -> store.open(digest, new ByteRange(5, 10)))
                .compose(blob -> {
                    assertThat(blob.length()).isEqualTo(10);
                    return read(blob);
                })
                .onComplete(verify(test, read -> assertThat(read.toString()).isEqualTo("56789abcde")));
    }

    @Test
    void stat_beforeCommit_isEmptyAndOpenFailsBlobUnknown(VertxTestContext test) {
        byte[] content = bytes("not yet");
        Digest digest = Digest.sha256(content);
        BlobWriter writer = store.create();
        on(() -> writer.write(Buffer.buffer(content)))
                .compose(v -> store.stat(digest))
                .compose(size -> {
                    assertThat(size).isEmpty();
                    assertThat(writer.size()).isEqualTo(content.length);
                    return failureOf(store.open(digest, ByteRange.all(content.length)));
                })
                .compose(failure -> {
                    assertBlobUnknown(failure);
                    return writer.commit(digest);
                })
                .compose(v -> store.stat(digest))
                .onComplete(verify(test, size -> assertThat(size).contains((long) content.length)));
    }

    @Test
    void list_committedBlobs_answersEachWithSizeAndRecentLastModified(VertxTestContext test) {
        byte[] first = bytes("listed one");
        byte[] second = bytes("listed two, longer");
        Instant before = Instant.now().minusSeconds(2);
        on(() -> write(first).commit(Digest.sha256(first)))
                .compose(v -> write(second).commit(Digest.sha256(second)))
                .compose(v -> store.list())
                .onComplete(verify(test, listed -> {
                    assertThat(listed).extracting(StoredBlob::digest, StoredBlob::size).containsExactlyInAnyOrder(
                            tuple(Digest.sha256(first), (long) first.length),
                            tuple(Digest.sha256(second), (long) second.length));
                    assertThat(listed).allSatisfy(blob -> assertThat(blob.lastModified())
                            .isAfter(before).isBefore(Instant.now().plusSeconds(2)));
                }));
    }

    @Test
    void listPage_smallPages_answerEveryBlobOnceInListingOrderThenAnEmptyPage(VertxTestContext test) {
        List<Digest> written = new ArrayList<>();
        Future<Void> writes = on(() -> Future.succeededFuture());
        for (int i = 0; i < 7; i++) {
            byte[] content = bytes("paged blob " + i);
            Digest digest = i == 6 ? sha512(content) : Digest.sha256(content);
            written.add(digest);
            writes = writes.compose(v -> write(content).commit(digest));
        }
        List<Digest> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        writes.compose(v -> pages(null, 3, listed, pageSizes)).onComplete(verify(test, v -> {
            assertThat(listed).containsExactlyElementsOf(
                    written.stream().sorted(BlobStore.LISTING_ORDER).toList());
            assertThat(pageSizes).containsExactly(3, 3, 1, 0);
        }));
    }

    /** Reads pages of {@code limit} after {@code after} until an empty one. */
    private Future<Void> pages(Digest after, int limit, List<Digest> listed, List<Integer> pageSizes) {
        return store.list(after, limit).compose(page -> {
            pageSizes.add(page.size());
            page.forEach(blob -> listed.add(blob.digest()));
            return page.isEmpty() ? Future.succeededFuture()
                    : pages(page.get(page.size() - 1).digest(), limit, listed, pageSizes);
        });
    }

    private static Digest sha512(byte[] content) {
        MessageDigest sha512 = new Digest("sha512", "0".repeat(128)).newHasher();
        sha512.update(content);
        return Digest.of(sha512);
    }

    @Test
    void delete_storedBlob_isGoneAndUnlistedAndASecondDeleteAnswersFalse(VertxTestContext test) {
        byte[] kept = bytes("kept blob");
        byte[] deleted = bytes("deleted blob");
        on(() -> write(kept).commit(Digest.sha256(kept)))
                .compose(v -> write(deleted).commit(Digest.sha256(deleted)))
                .compose(v -> store.delete(Digest.sha256(deleted)))
                .compose(existed -> {
                    assertThat(existed).isTrue();
                    return Future.all(store.delete(Digest.sha256(deleted)), store.stat(Digest.sha256(deleted)),
                            store.list());
                })
                .onComplete(verify(test, all -> {
                    assertThat(all.<Boolean>resultAt(0)).isFalse();
                    assertThat(all.<Optional<Long>>resultAt(1)).isEmpty();
                    assertThat(all.<List<StoredBlob>>resultAt(2)).extracting(StoredBlob::digest)
                            .containsExactly(Digest.sha256(kept));
                }));
    }

    /** Every adapter writes a new blob to a local disk first, whose space limits what it can take. */
    @Test
    void freeSpace_initializedStore_answersTheLocalDisksUsableSpace(VertxTestContext test) {
        assertThat(store.freeSpace()).isPresent();
        assertThat(store.freeSpace().getAsLong()).isPositive();
        test.completeNow();
    }

    @Test
    void open_unknownDigest_failsBlobUnknown(VertxTestContext test) {
        Digest digest = Digest.sha256(bytes("never written"));
        failureOf(store.open(digest, ByteRange.all(1))).onComplete(verify(test, this::assertBlobUnknown));
    }

    @Test
    void commit_digestMismatch_failsDigestInvalidAndLeavesNothing(VertxTestContext test) {
        byte[] content = bytes("actual content");
        Digest actual = Digest.sha256(content);
        Digest claimed = Digest.sha256(bytes("claimed content"));
        on(() -> failureOf(write(content).commit(claimed)))
                .compose(failure -> {
                    assertThat(failure).isInstanceOf(RegistryException.class);
                    assertThat(((RegistryException) failure).code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
                    return Future.all(store.stat(claimed), store.stat(actual), uploadsInProgress());
                })
                .onComplete(verify(test, all -> {
                    assertThat(all.<Optional<Long>>resultAt(0)).isEmpty();
                    assertThat(all.<Optional<Long>>resultAt(1)).isEmpty();
                    assertThat(all.<Long>resultAt(2)).isZero();
                }));
    }

    @Test
    void cancel_afterWrites_leavesNothing(VertxTestContext test) {
        byte[] content = bytes("abandoned");
        Digest digest = Digest.sha256(content);
        on(() -> write(content).cancel())
                .compose(v -> Future.all(store.stat(digest), uploadsInProgress()))
                .onComplete(verify(test, all -> {
                    assertThat(all.<Optional<Long>>resultAt(0)).isEmpty();
                    assertThat(all.<Long>resultAt(1)).isZero();
                }));
    }

    @Test
    void cancel_beforeAnyWrite_leavesNothing(VertxTestContext test) {
        on(() -> store.create().cancel())
                .compose(v -> uploadsInProgress())
                .onComplete(verify(test, count -> assertThat(count).isZero()));
    }

    @Test
    void commit_emptyBlob_isStoredWithSizeZero(VertxTestContext test) {
        Digest digest = Digest.sha256(new byte[0]);
        on(() -> store.create().commit(digest))
                .compose(v -> store.stat(digest))
                .onComplete(verify(test, size -> assertThat(size).contains(0L)));
    }

    @Test
    void commit_sha512Digest_isVerifiedWithSha512(VertxTestContext test) {
        byte[] content = bytes("sha512 content");
        MessageDigest sha512 = new Digest("sha512", "0".repeat(128)).newHasher();
        sha512.update(content);
        Digest digest = Digest.of(sha512);
        on(() -> write(content).commit(digest))
                .compose(v -> store.open(digest, ByteRange.all(content.length)))
                .compose(this::read)
                .onComplete(verify(test, read -> assertThat(read.getBytes()).isEqualTo(content)));
    }

    @Test
    void commit_concurrentWritersOfSameDigest_bothSucceed(VertxTestContext test) {
        byte[] content = bytes("x".repeat(300_000));
        Digest digest = Digest.sha256(content);
        on(() -> {
            BlobWriter first = store.create();
            BlobWriter second = store.create();
            first.write(Buffer.buffer(content));
            second.write(Buffer.buffer(content));
            return Future.all(first.commit(digest), second.commit(digest));
        })
                .compose(v -> store.open(digest, ByteRange.all(content.length)))
                .compose(this::read)
                .onComplete(verify(test, read -> assertThat(read.getBytes()).isEqualTo(content)));
    }

    @Test
    void commit_afterCommit_fails(VertxTestContext test) {
        byte[] content = bytes("once");
        Digest digest = Digest.sha256(content);
        on(() -> {
            BlobWriter writer = write(content);
            return writer.commit(digest).compose(v -> failureOf(writer.commit(digest)));
        }).onComplete(verify(test, failure -> assertThat(failure).isNotNull()));
    }

    @Test
    @Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
    void pipeTo_largeStream_isCommittedWithItsDigest(VertxTestContext test) {
        long size = largeBlobSize();
        Promise<GeneratedStream> piped = Promise.promise();
        context.runOnContext(v -> {
            GeneratedStream source = new GeneratedStream(context, size, 42);
            BlobWriter writer = store.create();
            source.pipeTo(writer)
                    .compose(done -> {
                        assertThat(writer.size()).isEqualTo(size);
                        assertThat(source.pauses()).as("times the writer pushed back").isPositive();
                        return writer.commit(source.digest());
                    })
                    .map(source)
                    .onComplete(piped);
        });
        piped.future()
                .compose(source -> store.stat(source.digest())
                        .compose(stored -> {
                            assertThat(stored).contains(size);
                            return store.open(source.digest(), ByteRange.all(size));
                        })
                        .compose(blob -> drain(blob, new DigestingWriteStream(false)))
                        .map(read -> {
                            assertThat(read.size()).isEqualTo(size);
                            assertThat(read.digest()).isEqualTo(source.digest());
                            return read;
                        }))
                .onComplete(verify(test, read -> {
                }));
    }

    /** Starts a writer with {@code content} written to it. */
    protected BlobWriter write(byte[] content) {
        BlobWriter writer = store.create();
        writer.write(Buffer.buffer(content));
        return writer;
    }

    /** Reads a small blob whole. */
    protected Future<Buffer> read(BlobContent blob) {
        return drain(blob, new DigestingWriteStream(true)).map(DigestingWriteStream::content);
    }

    /** Pipes a blob, whichever form it takes, into {@code sink}. */
    protected Future<DigestingWriteStream> drain(BlobContent blob, DigestingWriteStream sink) {
        if (blob instanceof BlobContent.Stream stream) {
            return stream.stream().pipeTo(sink).map(sink);
        }
        BlobContent.FileRegion region = (BlobContent.FileRegion) blob;
        return vertx.fileSystem()
                .open(region.file().toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
                .compose(file -> {
                    file.setReadPos(region.offset()).setReadLength(region.length());
                    return file.pipeTo(sink).eventually(() -> closeQuietly(file)).map(sink);
                });
    }

    /** Runs {@code work} on this test's Vert.x context, as a handler would. */
    protected <T> Future<T> on(Supplier<Future<T>> work) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> {
            try {
                work.get().onComplete(promise);
            } catch (RuntimeException e) {
                promise.fail(e);
            }
        });
        return promise.future();
    }

    /** Succeeds with the failure of {@code future}; fails if it succeeded. */
    protected static <T> Future<Throwable> failureOf(Future<T> future) {
        return future.transform(ar -> ar.succeeded()
                ? Future.failedFuture(new AssertionError("expected a failure, got " + ar.result()))
                : Future.succeededFuture(ar.cause()));
    }

    protected static <T> Handler<AsyncResult<T>> verify(VertxTestContext test, Consumer<T> assertions) {
        return test.succeeding(result -> test.verify(() -> {
            assertions.accept(result);
            test.completeNow();
        }));
    }

    protected void assertBlobUnknown(Throwable failure) {
        assertThat(failure).isInstanceOf(RegistryException.class);
        assertThat(((RegistryException) failure).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Future<Void> closeQuietly(AsyncFile file) {
        return file.close().otherwiseEmpty();
    }
}
