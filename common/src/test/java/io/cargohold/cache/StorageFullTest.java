package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.StorageFullException;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.DiscardableStream;
import io.cargohold.testkit.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StorageFullTest {

    private static final Digest DIGEST = Digest.sha256(new byte[]{1});
    private static final String WHAT = "fetching blob up/x@" + DIGEST + " from http://upstream";

    private final MutableClock clock = MutableClock.now();
    private final AtomicLong free = new AtomicLong(1000);
    private final StorageFull storageFull = new StorageFull(() -> OptionalLong.of(free.get()), clock);

    @Test
    void fit_lengthOverFreeSpace_failsStorageFullAndDropsBody() {
        UnreadBody body = new UnreadBody();

        Future<BlobContent.Stream> fitted = storageFull.fit(DIGEST, new BlobContent.Stream(body, 1001), WHAT);

        assertThat(fitted.failed()).isTrue();
        assertThat(fitted.cause()).isInstanceOf(StorageFullException.class);
        StorageFullException full = (StorageFullException) fitted.cause();
        assertThat(full.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(full.httpStatus()).isEqualTo(503);
        assertThat(full.getMessage()).startsWith("storage full: " + WHAT).contains("1001", "1000");
        assertThat(body.discarded).isTrue();
    }

    @Test
    void fit_lengthWithinFreeSpaceOrUnknown_passesBodyOn() {
        UnreadBody body = new UnreadBody();

        assertThat(storageFull.fit(DIGEST, new BlobContent.Stream(body, 1000), WHAT).succeeded()).isTrue();
        assertThat(storageFull.fit(DIGEST, new BlobContent.Stream(body, -1), WHAT).succeeded()).isTrue();
        assertThat(new StorageFull(OptionalLong::empty, clock)
                .fit(DIGEST, new BlobContent.Stream(body, Long.MAX_VALUE), WHAT).succeeded()).isTrue();
        assertThat(body.discarded).isFalse();
        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();
    }

    @Test
    void admit_refusedBlob_failsForOneMinuteThenAdmits() {
        Throwable refusal = storageFull.fit(DIGEST, new BlobContent.Stream(new UnreadBody(), 5000), WHAT).cause();

        assertThat(storageFull.admit(DIGEST).cause()).isSameAs(refusal);
        clock.advance(StorageFull.WINDOW.minusSeconds(1));
        assertThat(storageFull.admit(DIGEST).cause()).isSameAs(refusal);
        assertThat(storageFull.admit(Digest.sha256(new byte[]{2})).succeeded()).as("another blob").isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();
    }

    @Test
    void admit_spaceFreedForRefusedBlob_admitsWithinTheMinute() {
        storageFull.fit(DIGEST, new BlobContent.Stream(new UnreadBody(), 5000), WHAT);

        free.set(4999);
        assertThat(storageFull.admit(DIGEST).failed()).isTrue();
        free.set(5000);
        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();
    }

    @Test
    void failed_writeFoundDiskFull_refusesUntilDeclaredLengthFits() {
        StorageFullException writeFailure = new StorageFullException("no space left on device", 300,
                new IOException("No space left on device"));

        storageFull.failed(DIGEST, writeFailure, Future.succeededFuture(2000L), WHAT);

        Throwable refusal = storageFull.admit(DIGEST).cause();
        assertThat(refusal).isInstanceOf(StorageFullException.class);
        assertThat(refusal.getMessage()).startsWith("storage full: " + WHAT).contains("after 300 of 2000 bytes");
        free.set(2000);
        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();
    }

    @Test
    void failed_otherFailureOrRefusalAlreadyRemembered_doesNotExtendTheWindow() {
        storageFull.failed(DIGEST, new IllegalStateException("received 3 of 5 bytes"), Future.succeededFuture(5000L), WHAT);
        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();

        Throwable refusal = storageFull.fit(DIGEST, new BlobContent.Stream(new UnreadBody(), 5000), WHAT).cause();
        clock.advance(Duration.ofSeconds(59));
        storageFull.failed(DIGEST, refusal, Future.succeededFuture(5000L), WHAT);
        clock.advance(Duration.ofSeconds(1));

        assertThat(storageFull.admit(DIGEST).succeeded()).isTrue();
    }

    @Test
    void isNoSpace_wrappedIoException_isRecognised() {
        assertThat(StorageFullException.isNoSpace(new RuntimeException(new IOException("No space left on device"))))
                .isTrue();
        assertThat(StorageFullException.isNoSpace(new IOException("Input/output error"))).isFalse();
    }

    /** An upstream body nobody reads, telling whether it was dropped. */
    private static final class UnreadBody implements ReadStream<Buffer>, DiscardableStream {
        boolean discarded;

        @Override
        public void discard() {
            discarded = true;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            return this;
        }
    }
}
