package io.cargohold.testkit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP relay on 127.0.0.1 in front of an S3 server ({@link S3Server}) that behaves as S3 does
 * towards presigned URLs (a query with {@code X-Amz-Signature}): one that also carries an
 * {@code Authorization} header is answered 400 ("Only one auth mechanism allowed"), and with
 * {@link #refusePresigned} every presigned URL is answered 403 AccessDenied "Request has expired".
 * It counts both kinds. Other requests (the registry's own signed calls) pass through, with the
 * {@code Host} header the signatures cover.
 */
public final class PresignedUrlProxy implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "keep-alive", "transfer-encoding");

    private final Vertx vertx;
    private final HttpServer server;
    private final AtomicInteger presigned = new AtomicInteger();
    private final AtomicInteger presignedWithAuthorization = new AtomicInteger();
    private volatile boolean refusePresigned;

    private PresignedUrlProxy(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Relays to {@code 127.0.0.1:targetPort}. */
    public static PresignedUrlProxy start(int targetPort) {
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient();
        PresignedUrlProxy[] proxy = new PresignedUrlProxy[1];
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> proxy[0].handle(request, client, targetPort));
        try {
            server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the presigned URL proxy did not start", e);
        }
        proxy[0] = new PresignedUrlProxy(vertx, server);
        return proxy[0];
    }

    /** {@code http://127.0.0.1:<port>}: the S3 endpoint to give the registry. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    public String hostPort() {
        return "127.0.0.1:" + server.actualPort();
    }

    /** Requests to a presigned URL so far. */
    public int presignedRequests() {
        return presigned.get();
    }

    /** Requests to a presigned URL that also carried an Authorization header (answered 400). */
    public int presignedWithAuthorization() {
        return presignedWithAuthorization.get();
    }

    /** From now on, answer every presigned URL 403 AccessDenied "Request has expired" (or stop). */
    public void refusePresigned(boolean refuse) {
        refusePresigned = refuse;
    }

    private void handle(HttpServerRequest request, HttpClient client, int targetPort) {
        String query = request.query();
        if (query != null && query.contains("X-Amz-Signature=")) {
            presigned.incrementAndGet();
            if (request.getHeader("Authorization") != null) {
                presignedWithAuthorization.incrementAndGet();
                error(request, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                        + "query parameter, Signature query string parameter or the Authorization header should be "
                        + "specified");
                return;
            }
            if (refusePresigned) {
                error(request, 403, "AccessDenied", "Request has expired");
                return;
            }
        }
        request.pause();
        RequestOptions options = new RequestOptions()
                .setServer(SocketAddress.inetSocketAddress(targetPort, "127.0.0.1"))
                .setHost("127.0.0.1").setPort(server.actualPort())
                .setMethod(request.method()).setURI(request.uri())
                .setHeaders(relayed(request.headers()));
        boolean hasBody = request.getHeader("Content-Length") != null || request.getHeader("Transfer-Encoding") != null;
        client.request(options)
                .compose(outgoing -> {
                    if (hasBody) {
                        return outgoing.send(request);
                    }
                    request.resume();
                    return outgoing.send();
                })
                .onSuccess(answer -> {
                    answer.pause();
                    request.response().setStatusCode(answer.statusCode()).headers().addAll(relayed(answer.headers()));
                    if (answer.getHeader("Content-Length") == null) {
                        request.response().setChunked(true);
                    }
                    answer.pipeTo(request.response());
                })
                .onFailure(e -> request.response().setStatusCode(502).end(String.valueOf(e)));
    }

    private static MultiMap relayed(MultiMap headers) {
        MultiMap copy = MultiMap.caseInsensitiveMultiMap();
        headers.forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                copy.add(name, value);
            }
        });
        return copy;
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/xml")
                .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                        + "</Message><RequestId>cargohold-test</RequestId></Error>");
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
