package io.cargohold.cache;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * What the two readers of a {@link BlobFill} share ({@link FillReader} from the fill's chunks,
 * {@link SpoolReader} from its spool file): the client's handlers, and the demand it asked for, counted
 * the way Vert.x streams count it.
 */
abstract class FillStream implements ReadStream<Buffer> {

    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    /** The client set its handler and wants the bytes. */
    abstract void started();

    /** The client removed its handler: it wants no more bytes. */
    abstract void abandoned();

    final Handler<Buffer> dataHandler() {
        return handler;
    }

    final void emit(Buffer chunk) {
        if (handler != null) {
            handler.handle(chunk);
        }
    }

    final void end() {
        if (endHandler != null) {
            endHandler.handle(null);
        }
    }

    final void fail(Throwable failure) {
        if (exceptionHandler != null) {
            exceptionHandler.handle(failure);
        }
    }

    /** {@code demand} plus {@code amount}, where {@link Long#MAX_VALUE} stands for no limit. */
    static long plus(long demand, long amount) {
        return amount == Long.MAX_VALUE || demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    }

    @Override
    public final ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        if (handler == null) {
            abandoned();
        } else {
            started();
        }
        return this;
    }

    @Override
    public final ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public final ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    @Override
    public final ReadStream<Buffer> resume() {
        return fetch(Long.MAX_VALUE);
    }
}
