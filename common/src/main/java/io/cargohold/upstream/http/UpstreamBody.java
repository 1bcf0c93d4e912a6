package io.cargohold.upstream.http;

import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.DiscardableStream;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;

import java.time.Duration;

/**
 * The body of an upstream answer, failing with a {@code 504} "upstream stalled mid-body" when no
 * byte arrives for the idle time-out while it is wanted. The HTTP client's own idle time-out stops
 * at the answer's head, and a connection idle time-out only reports "Connection was closed"; so a
 * stalled body would otherwise hang a fill or be reported as a broken connection. Time spent paused
 * (the consumer's back-pressure) is not a stall.
 */
final class UpstreamBody implements ReadStream<Buffer>, DiscardableStream {

    private final HttpClientResponse response;
    private final Duration idle;
    private final String action;
    private final Context context;
    private Handler<Throwable> exceptionHandler;
    private long timer = -1;
    private long received;
    private boolean flowing;
    private boolean finished;

    UpstreamBody(HttpClientResponse response, Duration idle, String action) {
        this.response = response;
        this.idle = idle;
        this.action = action;
        this.context = Vertx.currentContext();
        response.exceptionHandler(this::failed);
    }

    HttpClientResponse response() {
        return response;
    }

    /** Drops the exchange (and its connection): the rest of the body is not wanted. */
    void reset() {
        finished = true;
        cancelTimer();
        response.request().reset();
    }

    @Override
    public void discard() {
        reset();
    }

    @Override
    public UpstreamBody exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public UpstreamBody handler(Handler<Buffer> handler) {
        response.handler(handler == null ? null : chunk -> {
            received += chunk.length();
            if (flowing) {
                armTimer();
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public UpstreamBody endHandler(Handler<Void> handler) {
        response.endHandler(v -> {
            finished = true;
            cancelTimer();
            if (handler != null) {
                handler.handle(v);
            }
        });
        return this;
    }

    @Override
    public UpstreamBody pause() {
        flowing = false;
        cancelTimer();
        response.pause();
        return this;
    }

    @Override
    public UpstreamBody resume() {
        flowing = true;
        armTimer();
        response.resume();
        return this;
    }

    @Override
    public UpstreamBody fetch(long amount) {
        if (amount > 0) {
            flowing = true;
            armTimer();
        }
        response.fetch(amount);
        return this;
    }

    private void failed(Throwable failure) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimer();
        if (exceptionHandler != null) {
            exceptionHandler.handle(failure);
        }
    }

    private void armTimer() {
        if (finished || context == null) {
            return;
        }
        cancelTimer();
        timer = context.owner().setTimer(idle.toMillis(), id -> {
            timer = -1;
            UpstreamException stalled = UpstreamFailures.stalled(action, idle, received);
            failed(stalled);
            response.request().reset(0, stalled);
        });
    }

    private void cancelTimer() {
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
            timer = -1;
        }
    }
}
