package io.cargohold.edge.proxy;

import io.cargohold.edge.EdgeHarness;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobWriter;
import io.cargohold.store.fs.FileSystemBlobStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BlobFillTest {

    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        EdgeHarness.await(vertx.close());
    }

    @Test
    void reader_fillSettledByAnotherNodesDownload_readsWholeBlobFromStore() {
        FileSystemBlobStore store = new FileSystemBlobStore(vertx, dir);
        EdgeHarness.await(store.initialize());
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new SplittableRandom(7).nextBytes(content);
        Digest digest = Digest.sha256(content);
        BlobFill fill = new BlobFill(digest, store, "fetching blob test");
        Context context = vertx.getOrCreateContext();
        Promise<Buffer> received = Promise.promise();
        context.runOnContext(v -> {
            Buffer body = Buffer.buffer();
            fill.reader(context).handler(body::appendBuffer).exceptionHandler(received::tryFail)
                    .endHandler(end -> received.tryComplete(body));
        });

        BlobWriter writer = store.create();
        EdgeHarness.await(writer.write(Buffer.buffer(content)).compose(w -> writer.commit(digest)));
        context.runOnContext(v -> fill.settle(Future.succeededFuture((long) content.length)));

        byte[] body = EdgeHarness.await(received.future()).getBytes();
        assertThat(body.length).isEqualTo(content.length);
        assertThat(Digest.sha256(body)).isEqualTo(digest);
    }
}
