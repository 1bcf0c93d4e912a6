package io.cargohold.upstream.http;

import io.cargohold.credentials.CredentialsReadException;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.UpstreamException;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link UpstreamException}s of this adapter, each message keeping what was attempted:
 * "fetching manifest library/nginx:1.27 from 127.0.0.1:15000 failed: 429 TOOMANYREQUESTS" (after
 * jib's {@code RegistryErrorExceptionBuilder}).
 */
final class UpstreamFailures {

    static final int BAD_GATEWAY = 502;
    static final int GATEWAY_TIMEOUT = 504;
    /** S3's error body: {@code <Error><Code>AccessDenied</Code><Message>Request has expired</Message>...}. */
    private static final Pattern S3_CODE = Pattern.compile("<Code>([^<]{1,200})</Code>");
    private static final Pattern S3_MESSAGE = Pattern.compile("<Message>([^<]{1,500})</Message>");

    private UpstreamFailures() {
    }

    /** An answer with a status that is not a success. */
    static UpstreamException fromStatus(String action, int status, String reason, Buffer body, OciErrorCode notFound) {
        String upstreamCode = errorCode(body);
        OciErrorCode code;
        int httpStatus;
        String hint = "";
        if (status == 404) {
            code = notFound;
            httpStatus = 404;
        } else if (status == 429) {
            code = OciErrorCode.TOOMANYREQUESTS;
            httpStatus = 429;
        } else if (status == 401 || status == 403) {
            code = OciErrorCode.UNAVAILABLE;
            httpStatus = BAD_GATEWAY;
            hint = " (the upstream rejected the cache's credentials for it)";
        } else {
            code = OciErrorCode.UNAVAILABLE;
            httpStatus = BAD_GATEWAY;
        }
        String label = upstreamCode != null ? upstreamCode
                : switch (status) {
                    case 401 -> OciErrorCode.UNAUTHORIZED.name();
                    case 403 -> OciErrorCode.DENIED.name();
                    case 404 -> notFound.name();
                    case 429 -> OciErrorCode.TOOMANYREQUESTS.name();
                    default -> reason == null ? "" : reason;
                };
        String message = action + " failed: " + status + (label.isEmpty() ? "" : " " + label) + hint;
        return new UpstreamException(code, message, httpStatus, status, null);
    }

    /**
     * A non-success answer from the host a redirect led to (a CDN, a presigned storage URL): its own
     * error code and message (S3's XML, or an OCI error), never blamed on the registry's credentials,
     * which were not sent there. {@code action} names that host.
     */
    static UpstreamException fromRedirectStatus(String action, int status, String reason, Buffer body) {
        String label = storageError(body);
        if (label == null) {
            label = errorCode(body);
        }
        if (label == null) {
            label = reason == null ? "" : reason;
        }
        boolean limited = status == 429;
        return new UpstreamException(limited ? OciErrorCode.TOOMANYREQUESTS : OciErrorCode.UNAVAILABLE,
                action + " failed: " + status + (label.isEmpty() ? "" : " " + label),
                limited ? 429 : BAD_GATEWAY, status, null);
    }

    /** "AccessDenied (Request has expired)" from an S3 error body, or null. */
    static String storageError(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        String text = body.toString();
        Matcher code = S3_CODE.matcher(text);
        if (!text.contains("<Error") || !code.find()) {
            return null;
        }
        Matcher message = S3_MESSAGE.matcher(text);
        return code.group(1).strip() + (message.find() ? " (" + message.group(1).strip() + ")" : "");
    }

    /** The upstream answered, but what it sent is unacceptable (too large, wrong digest). */
    static UpstreamException badContent(String action, OciErrorCode code, String detail, int upstreamStatus) {
        return new UpstreamException(code, action + " failed: " + detail, BAD_GATEWAY, upstreamStatus, null);
    }

    /** Anything else that ended the exchange: authentication trouble, too many redirects. */
    static UpstreamException unavailable(String action, String detail, int upstreamStatus, Throwable cause) {
        return new UpstreamException(OciErrorCode.UNAVAILABLE, action + " failed: " + detail, BAD_GATEWAY,
                upstreamStatus, cause);
    }

    /** The answer's head came, then no byte of its body within the idle time-out. */
    static UpstreamException stalled(String action, Duration idle, long received) {
        return new UpstreamException(OciErrorCode.UNAVAILABLE, action + " failed: upstream stalled mid-body (no byte for "
                + idle + " after " + received + " bytes)", GATEWAY_TIMEOUT, 0, null);
    }

    /**
     * No answer: connection refused or reset (502), a time-out (504; {@code idle} is the time-out
     * the answer's head had), or credentials that cannot be read (502).
     */
    static UpstreamException fromThrowable(String action, Throwable failure, Duration idle) {
        if (failure instanceof UpstreamException upstream) {
            return upstream;
        }
        if (failure instanceof CredentialsReadException unreadable) {
            return unavailable(action, unreadable.getMessage(), 0, failure);
        }
        if (failure instanceof ConnectTimeoutException || failure instanceof TimeoutException) {
            String what = failure instanceof ConnectTimeoutException ? "connection timed out (" + failure.getMessage() + ")"
                    : "upstream did not answer within " + idle;
            return new UpstreamException(OciErrorCode.UNAVAILABLE, action + " failed: " + what, GATEWAY_TIMEOUT, 0,
                    failure);
        }
        Optional<String> tls = UpstreamTrust.handshakeFailure(failure);
        if (tls.isPresent()) {
            return new UpstreamException(OciErrorCode.UNAVAILABLE, action + " failed: TLS: " + tls.get(), BAD_GATEWAY,
                    0, failure);
        }
        String what = failure instanceof ConnectException ? "cannot connect" : "connection failed";
        return new UpstreamException(OciErrorCode.UNAVAILABLE, action + " failed: " + what + " ("
                + failure.getMessage() + ")", BAD_GATEWAY, 0, failure);
    }

    /** The first {@code code} of an OCI error body, or null. */
    static String errorCode(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            JsonObject json = new JsonObject(body);
            JsonArray errors = json.getJsonArray("errors");
            if (errors != null && !errors.isEmpty() && errors.getValue(0) instanceof JsonObject first) {
                String code = first.getString("code");
                return code == null || code.isBlank() ? null : code;
            }
        } catch (RuntimeException notOciJson) {
            // an HTML page or plain text: no code
        }
        return null;
    }
}
