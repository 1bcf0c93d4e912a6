package io.cargohold.edge.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * The access log: one JSON object per registry API request on the {@value #LOGGER} logger, written
 * when the response ends or its connection closes first ({@code "aborted":true}, and status
 * {@value #CLIENT_CLOSED} when no status was sent, as nginx logs it). Fields:
 * {@code time} (arrival, ISO-8601 UTC), {@code client} (the peer's address), {@code user} (when a
 * token names one), {@code method}, {@code path} (with the query, signature-like parameters
 * redacted), {@code status}, {@code bytes} (body bytes sent), {@code durationMs}, {@code rule} (its
 * prefix), {@code cache} ({@code hit}, {@code miss}, {@code stale}, {@code redirect}),
 * {@code upstreamMs} (the time waited on the upstream, when the request went there) and {@code ns}
 * (containerd's mirror parameter). No header is logged, so no credential can be.
 */
final class AccessLog {

    static final String LOGGER = "cargohold.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** Query parameters whose values are credentials: presigned URLs' signatures, tokens, passwords. */
    private static final Set<String> SECRET_PARAMETERS = Set.of("x-amz-signature", "x-amz-credential",
            "x-amz-security-token", "signature", "sig", "token", "access_token", "password", "key");
    private static final String REDACTED = "REDACTED";
    static final int CLIENT_CLOSED = 499;
    /** The last second's text up to its milliseconds: formatting an instant cost a fifth of a line. */
    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    private final boolean enabled;

    private record Second(long epochSecond, String prefix) {
    }

    /** {@code enabled}: {@code log.access}. */
    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    /** Writes the request's line; {@code status}: {@link #status}. */
    void write(HttpServerRequest request, AccessRecord record, int status) {
        if (enabled && LOG.isInfoEnabled()) {
            LOG.info(line(request, record, status));
        }
    }

    /** The status sent, or {@value #CLIENT_CLOSED} when the client went away before one was. */
    static int status(HttpServerResponse response) {
        return response.ended() || response.headWritten() ? response.getStatusCode() : CLIENT_CLOSED;
    }

    static String line(HttpServerRequest request, AccessRecord record, int status) {
        HttpServerResponse response = request.response();
        StringBuilder line = new StringBuilder(320).append("{\"time\":\"");
        time(line, record.startedMillis);
        line.append('"');
        SocketAddress client = request.remoteAddress();
        if (client != null) {
            string(line, "client", client.hostAddress() != null ? client.hostAddress() : client.toString());
        }
        string(line, "user", record.user());
        string(line, "method", request.method().name());
        line.append(",\"path\":\"");
        escape(line, request.path());
        String query = request.query();
        if (query != null) {
            line.append('?');
            query(line, query);
        }
        boolean aborted = !response.ended();
        line.append("\",\"status\":").append(status)
                .append(",\"bytes\":").append(response.bytesWritten())
                .append(",\"durationMs\":");
        millis(line, System.nanoTime() - record.startedNanos);
        string(line, "rule", record.rule());
        string(line, "cache", record.cache() == null ? null : record.cache().label);
        if (record.upstreamNanos() >= 0) {
            line.append(",\"upstreamMs\":");
            millis(line, record.upstreamNanos());
        }
        string(line, "ns", record.namespace());
        if (aborted) {
            line.append(",\"aborted\":true");
        }
        return line.append('}').toString();
    }

    /** ISO-8601 UTC with milliseconds, as {@link Instant#toString} writes it for a time with some. */
    private static void time(StringBuilder line, long millis) {
        long epochSecond = Math.floorDiv(millis, 1000);
        Second second = lastSecond;
        if (second.epochSecond() != epochSecond) {
            String text = Instant.ofEpochSecond(epochSecond).toString();
            second = new Second(epochSecond, text.substring(0, text.length() - 1) + ".");
            lastSecond = second;
        }
        int fraction = (int) Math.floorMod(millis, 1000);
        line.append(second.prefix()).append(fraction < 100 ? fraction < 10 ? "00" : "0" : "").append(fraction)
                .append('Z');
    }

    private static void string(StringBuilder line, String name, String value) {
        if (value != null) {
            line.append(",\"").append(name).append("\":\"");
            escape(line, value);
            line.append('"');
        }
    }

    /** The query as sent, but the value of a secret parameter. */
    private static void query(StringBuilder line, String query) {
        int start = 0;
        while (start <= query.length()) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = query.length();
            }
            int equals = query.indexOf('=', start);
            if (equals > start && equals < end
                    && SECRET_PARAMETERS.contains(query.substring(start, equals).toLowerCase(Locale.ROOT))) {
                escape(line, query.substring(start, equals + 1));
                line.append(REDACTED);
            } else {
                escape(line, query.substring(start, end));
            }
            if (end < query.length()) {
                line.append('&');
            }
            start = end + 1;
        }
    }

    /** Milliseconds with microseconds, without the cost of formatting a double. */
    private static void millis(StringBuilder line, long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        line.append(micros / 1_000).append('.');
        if (fraction < 100) {
            line.append(fraction < 10 ? "00" : "0");
        }
        line.append(fraction);
    }

    /** A JSON string's content: quotes, backslashes and control characters escaped. */
    private static void escape(StringBuilder line, String value) {
        int clean = 0;
        while (clean < value.length() && value.charAt(clean) >= 0x20 && value.charAt(clean) != '"'
                && value.charAt(clean) != '\\') {
            clean++;
        }
        line.append(value, 0, clean);
        for (int i = clean; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20) {
                line.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                line.append(c);
            }
        }
    }
}
