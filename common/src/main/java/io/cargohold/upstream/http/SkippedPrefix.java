package io.cargohold.upstream.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A body without its first bytes: the answer of an upstream that ignored a {@code Range} and sent
 * the whole blob. A chunk dropped whole is asked for again, so a consumer fetching one chunk at a
 * time is never left waiting on one it did not get.
 */
final class SkippedPrefix implements ReadStream<Buffer> {

    private final ReadStream<Buffer> body;
    private long toSkip;

    SkippedPrefix(ReadStream<Buffer> body, long skip) {
        this.body = body;
        this.toSkip = skip;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        body.handler(handler == null ? null : chunk -> {
            if (toSkip == 0) {
                handler.handle(chunk);
            } else if (chunk.length() <= toSkip) {
                toSkip -= chunk.length();
                body.fetch(1);
            } else {
                Buffer rest = chunk.slice((int) toSkip, chunk.length());
                toSkip = 0;
                handler.handle(rest);
            }
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        body.exceptionHandler(handler);
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        body.endHandler(endHandler);
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        body.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        body.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        body.fetch(amount);
        return this;
    }
}
