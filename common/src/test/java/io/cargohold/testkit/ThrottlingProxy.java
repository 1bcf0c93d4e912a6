package io.cargohold.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 that passes requests through untouched and holds responses to a byte
 * rate, so that a test can act while a large download is under way (kill the node fetching it).
 */
public final class ThrottlingProxy implements AutoCloseable {

    private final Vertx vertx;
    private final NetServer server;

    private ThrottlingProxy(Vertx vertx, NetServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Relays connections to {@code 127.0.0.1:targetPort}, answers at most {@code bytesPerSecond}. */
    public static ThrottlingProxy start(int targetPort, long bytesPerSecond) {
        Vertx vertx = Vertx.vertx();
        NetClient client = vertx.createNetClient();
        NetServer server = vertx.createNetServer().connectHandler(downstream -> {
            downstream.pause();
            client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
                if (connected.failed()) {
                    downstream.close();
                    return;
                }
                NetSocket upstream = connected.result();
                downstream.pipeTo(upstream);
                upstream.handler(chunk -> throttle(vertx, upstream, downstream, chunk, bytesPerSecond));
                upstream.endHandler(v -> downstream.end());
                upstream.exceptionHandler(e -> downstream.close());
                downstream.closeHandler(v -> upstream.close());
                downstream.resume();
            });
        });
        try {
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the throttling proxy did not start", e);
        }
        return new ThrottlingProxy(vertx, server);
    }

    /** Writes the chunk, then pauses the upstream for as long as the chunk is worth at the rate. */
    private static void throttle(Vertx vertx, NetSocket upstream, NetSocket downstream, Buffer chunk, long rate) {
        downstream.write(chunk);
        long millis = Math.max(1, chunk.length() * 1000L / rate);
        upstream.pause();
        vertx.setTimer(millis, t -> upstream.resume());
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the throttling proxy did not stop", e);
        }
    }
}
