package io.cargohold.upstream.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the requests of every operation (jib {@code RegistryEndpointCaller}): adds what the
 * {@link RegistryAuthenticator} knows, answers a 401 by authenticating and retrying (dropping
 * rejected credentials and retrying once more), follows redirects itself (301, 302, 303, 307,
 * 308, up to {@value #MAX_REDIRECTS} hops; blob downloads go to CDNs and presigned URLs) without
 * sending the Authorization header to another origin, and turns failures into
 * {@code UpstreamException}s; a failure on a redirect hop names the host it was redirected to and
 * what that host answered, never the registry. Every request says {@link UserAgent#VALUE}. A
 * successful response is handed back paused.
 */
final class RegistryEndpointCaller {

    static final int MAX_REDIRECTS = 5;
    private static final String RATE_LIMIT_REMAINING = "RateLimit-Remaining";

    private final HttpClient client;
    private final URI base;
    private final String baseUrl;
    private final RegistryAuthenticator authenticator;
    private final UpstreamTimeouts timeouts;
    private final AtomicLong rateLimitRemaining = new AtomicLong(-1);

    /** A final answer, the URL that gave it and whether a redirect led there (then it is not the registry's). */
    private record Exchange(HttpClientResponse response, String url, boolean redirected) {
    }

    RegistryEndpointCaller(HttpClient client, URI base, RegistryAuthenticator authenticator, UpstreamTimeouts timeouts) {
        this.client = client;
        this.base = base;
        String url = base.toString();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authenticator = authenticator;
        this.timeouts = timeouts;
    }

    /** The upstream's host and port as messages show it. */
    String host() {
        return base.getPort() < 0 ? base.getHost() : base.getHost() + ":" + base.getPort();
    }

    /** The last {@code RateLimit-Remaining} the upstream sent (Docker Hub), if any. */
    OptionalLong rateLimitRemaining() {
        long value = rateLimitRemaining.get();
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** How long an answer's head, or the next byte of its body, may take. */
    Duration idle() {
        return timeouts.idle();
    }

    /** The body of a {@link #call}'s answer, failing when it stalls past {@link #idle()}. */
    UpstreamBody body(HttpClientResponse response, String action) {
        return new UpstreamBody(response, timeouts.idle(), action);
    }

    /** Performs the request; succeeds with a paused 2xx response, fails with an UpstreamException. */
    Future<HttpClientResponse> call(RegistryRequest request) {
        return authenticator.authorization(request.scope(), request.action())
                .compose(authorization -> attempt(request, authorization, false))
                .recover(failure -> Future.failedFuture(UpstreamFailures.fromThrowable(request.action(), failure, timeouts.idle())));
    }

    private Future<HttpClientResponse> attempt(RegistryRequest request, String authorization, boolean invalidated) {
        return send(request, request.method(), baseUrl + request.path(), authorization, 0).compose(exchange -> {
            HttpClientResponse response = exchange.response();
            int status = response.statusCode();
            if (status / 100 == 2) {
                return Future.succeededFuture(response);
            }
            if (status == 401 && !exchange.redirected() && !invalidated) {
                List<String> challenges = response.headers().getAll("WWW-Authenticate");
                boolean rejected = authorization != null;
                return BoundedBody.discard(body(response, request.action()))
                        .compose(v -> authenticator.onUnauthorized(request.scope(), challenges, rejected, request.action()))
                        .compose(next -> next == null
                                ? Future.failedFuture(UpstreamFailures.unavailable(request.action(),
                                        "401 UNAUTHORIZED (the upstream needs credentials and none are configured)",
                                        401, null))
                                : attempt(request, next, rejected));
            }
            return BoundedBody.readTruncated(body(response, request.action()), BoundedBody.ERROR_BODY_LIMIT)
                    .recover(e -> Future.succeededFuture(null))
                    .compose(body -> Future.failedFuture(exchange.redirected()
                            ? UpstreamFailures.fromRedirectStatus(redirectAction(request, exchange.url()), status,
                                    response.statusMessage(), body)
                            : UpstreamFailures.fromStatus(request.action(), status, response.statusMessage(), body,
                                    request.notFound())));
        });
    }

    private Future<Exchange> send(RegistryRequest request, HttpMethod method, String url, String authorization,
                                  int hops) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(url)
                .setFollowRedirects(false)
                .setConnectTimeout(timeouts.connect().toMillis())
                .setIdleTimeout(timeouts.idle().toMillis())
                .putHeader("User-Agent", UserAgent.VALUE);
        if (!request.accept().isEmpty()) {
            options.putHeader("Accept", String.join(", ", request.accept()));
        }
        if (authorization != null) {
            options.putHeader("Authorization", authorization);
        }
        if (request.range() != null) {
            options.putHeader("Range", request.range());
        }
        Future<HttpClientResponse> answer = client.request(options).compose(outgoing -> outgoing.send());
        if (hops > 0) {
            answer = answer.recover(failure -> Future.failedFuture(UpstreamFailures.fromThrowable(
                    redirectAction(request, url), failure, timeouts.idle())));
        }
        return answer
                .compose(response -> {
                    response.pause();
                    recordRateLimit(response);
                    int status = response.statusCode();
                    String location = response.getHeader("Location");
                    if (!isRedirect(status) || location == null) {
                        return Future.succeededFuture(new Exchange(response, url, hops > 0));
                    }
                    if (hops >= MAX_REDIRECTS) {
                        return BoundedBody.discard(body(response, request.action())).compose(v -> Future.failedFuture(
                                UpstreamFailures.unavailable(request.action(), "more than " + MAX_REDIRECTS
                                        + " redirects (last to " + location + ")", status, null)));
                    }
                    URI next;
                    try {
                        next = URI.create(url).resolve(location.trim());
                    } catch (IllegalArgumentException e) {
                        return BoundedBody.discard(body(response, request.action())).compose(v -> Future.failedFuture(
                                UpstreamFailures.unavailable(request.action(), "redirect to an invalid location "
                                        + location, status, e)));
                    }
                    String nextAuthorization = sameOrigin(URI.create(url), next) ? authorization : null;
                    HttpMethod nextMethod = status == 303 && method != HttpMethod.HEAD ? HttpMethod.GET : method;
                    return BoundedBody.discard(body(response, request.action()))
                            .compose(v -> send(request, nextMethod, next.toString(), nextAuthorization, hops + 1));
                });
    }

    /** "fetching blob ... from registry.example: redirect to storage.example:9000" */
    private static String redirectAction(RegistryRequest request, String url) {
        URI target = URI.create(url);
        String host = target.getPort() < 0 ? target.getHost() : target.getHost() + ":" + target.getPort();
        return request.action() + ": redirect to " + host;
    }

    private void recordRateLimit(HttpClientResponse response) {
        String value = response.getHeader(RATE_LIMIT_REMAINING);
        if (value == null) {
            return;
        }
        int end = 0;
        String trimmed = value.trim();
        while (end < trimmed.length() && Character.isDigit(trimmed.charAt(end))) {
            end++;
        }
        if (end > 0 && end <= 18) {
            rateLimitRemaining.set(Long.parseLong(trimmed.substring(0, end)));
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Same scheme, host and port: only then may credentials follow a redirect. */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
