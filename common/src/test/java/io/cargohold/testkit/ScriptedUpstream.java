package io.cargohold.testkit;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A registry stand-in that answers what no real registry gives on demand (429, 5xx, silence,
 * wrong digests, bodies cut short, endless manifests): a small Vert.x HTTP server on 127.0.0.1
 * and a free port whose handler a test sets and may swap. Every request it receives is logged as
 * {@code "METHOD /path"}. The static helpers write the usual misbehaviours.
 */
public final class ScriptedUpstream implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;

    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Handler<HttpServerRequest> handler;

    private ScriptedUpstream(Vertx vertx, Handler<HttpServerRequest> handler) {
        this.handler = handler;
        try {
            this.server = vertx.createHttpServer()
                    .requestHandler(request -> {
                        requests.add(request.method().name() + " " + request.path());
                        this.handler.handle(request);
                    })
                    .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("scripted upstream did not start", e);
        }
    }

    /** Starts a server on {@code vertx} that answers every request with {@code handler}. */
    public static ScriptedUpstream start(Vertx vertx, Handler<HttpServerRequest> handler) {
        return new ScriptedUpstream(vertx, handler);
    }

    /** Answers every later request with {@code handler} instead. */
    public void answer(Handler<HttpServerRequest> handler) {
        this.handler = handler;
    }

    public HttpServer server() {
        return server;
    }

    public int port() {
        return server.actualPort();
    }

    /** {@code 127.0.0.1:PORT}, as upstream error messages name it. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + hostPort();
    }

    public URI uri() {
        return URI.create(url());
    }

    /** Every request so far, as {@code "METHOD /path"}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** How many requests with this method had a path matching {@code pathRegex}. */
    public long requests(String method, String pathRegex) {
        Pattern path = Pattern.compile(pathRegex);
        return requests.stream()
                .filter(line -> line.startsWith(method + " ") && path.matcher(line.substring(method.length() + 1)).matches())
                .count();
    }

    @Override
    public void close() {
        try {
            server.close().await(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the Vert.x instance closes it anyway
        }
    }

    /** A 200 with {@code content}, its Content-Length, and the given headers (name, value, ...). */
    public static void ok(HttpServerRequest request, byte[] content, String... headers) {
        HttpServerResponse response = request.response();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            response.putHeader(headers[i], headers[i + 1]);
        }
        response.putHeader("Content-Length", String.valueOf(content.length));
        if (request.method().name().equals("HEAD")) {
            response.end();
        } else {
            response.end(Buffer.buffer(content));
        }
    }

    /** An error status with an OCI error body carrying {@code code}. */
    public static void error(HttpServerRequest request, int status, String code) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"scripted " + status + "\"}]}");
    }

    /**
     * Declares all of {@code content} in Content-Length, sends its first {@code sent} bytes and
     * closes the connection: a body cut short.
     */
    public static void closeAfter(HttpServerRequest request, byte[] content, int sent) {
        HttpServerResponse response = request.response()
                .putHeader("Content-Length", String.valueOf(content.length))
                .putHeader("Content-Type", "application/octet-stream");
        response.write(Buffer.buffer(content).slice(0, sent))
                .onComplete(written -> request.connection().close());
    }

    /**
     * Streams {@code size} bytes of JSON-looking padding with back-pressure, never holding more
     * than a chunk, with a Content-Length when {@code declareLength} (chunked otherwise). Counts
     * what it wrote in {@code written}; {@code done} completes with that count when the response
     * ended or the client went away.
     */
    public static void stream(HttpServerRequest request, long size, boolean declareLength, String contentType,
                              AtomicLong written, Promise<Long> done) {
        HttpServerResponse response = request.response().putHeader("Content-Type", contentType);
        if (declareLength) {
            response.putHeader("Content-Length", String.valueOf(size));
        } else {
            response.setChunked(true);
        }
        response.closeHandler(v -> done.tryComplete(written.get()));
        response.exceptionHandler(e -> done.tryComplete(written.get()));
        byte[] padding = new byte[CHUNK];
        Arrays.fill(padding, (byte) ' ');
        padding[0] = '{';
        Buffer first = Buffer.buffer(padding);
        Arrays.fill(padding, (byte) ' ');
        Buffer rest = Buffer.buffer(padding);
        new Object() {
            void pump() {
                while (!response.closed() && !response.writeQueueFull() && written.get() < size) {
                    int n = (int) Math.min(CHUNK, size - written.get());
                    Buffer chunk = written.get() == 0 ? first : rest;
                    written.addAndGet(n);
                    response.write(n == CHUNK ? chunk : chunk.slice(0, n));
                }
                if (response.closed()) {
                    done.tryComplete(written.get());
                } else if (written.get() >= size) {
                    response.end().onComplete(v -> done.tryComplete(written.get()));
                } else {
                    response.drainHandler(v -> pump());
                }
            }
        }.pump();
    }
}
