package io.cargohold.coordinator.ecr;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/
 * <service>/aws4_request, SignedHeaders=..., Signature=...}) as AWS does: the canonical request rebuilt from what
 * arrived, the signing key derived from the secret, the date within {@link #MAX_SKEW} of now. Any region is
 * accepted (it is part of what is signed); the service must be the one given.
 */
public final class SigV4Verifier {

    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final Pattern AUTHORIZATION = Pattern.compile(ALGORITHM
            + " +Credential=([^/,\\s]+)/([0-9]{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request\\s*,\\s*"
            + "SignedHeaders=([a-z0-9;_.-]+)\\s*,\\s*Signature=([0-9a-f]{64})\\s*");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String service;

    public SigV4Verifier(String service) {
        this.service = service;
    }

    /** A request as it arrived: headers by lower-case name. */
    public record Request(String method, String rawPath, String rawQuery, Function<String, List<String>> headers,
                          byte[] body) {
    }

    /** The signature's claims, read before the secret is looked up. */
    public record Signature(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
                            String signature, String amzDate) {

        String scope() {
            return date + "/" + region + "/" + service + "/aws4_request";
        }
    }

    /** The signature the request carries; an {@link EcrException} saying what is missing or malformed. */
    public Signature parse(Request request) {
        String authorization = first(request, "authorization");
        if (authorization == null) {
            throw new EcrException(EcrException.MISSING_AUTHENTICATION,
                    "Missing Authentication Token: sign requests with SigV4 (an access key of auth.users)");
        }
        Matcher matcher = AUTHORIZATION.matcher(authorization);
        if (!matcher.matches()) {
            throw new EcrException("IncompleteSignatureException", "Authorization header must be " + ALGORITHM
                    + " Credential=<key id>/<yyyyMMdd>/<region>/" + service
                    + "/aws4_request, SignedHeaders=<names>, Signature=<64 hex digits>");
        }
        String amzDate = first(request, "x-amz-date");
        if (amzDate == null) {
            throw new EcrException("IncompleteSignatureException", "X-Amz-Date header is required");
        }
        List<String> signed = Arrays.asList(matcher.group(5).split(";"));
        if (!signed.contains("host")) {
            throw new EcrException("IncompleteSignatureException", "SignedHeaders must include host");
        }
        return new Signature(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4), signed,
                matcher.group(6), amzDate);
    }

    /** Checks the signature with {@code secret}, the secret of its access key; an {@link EcrException} if wrong. */
    public void verify(Request request, Signature signature, String secret, Instant now) {
        if (!service.equals(signature.service())) {
            throw new EcrException("InvalidSignatureException", "Credential should be scoped to correct service: '"
                    + service + "', not '" + signature.service() + "'");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(signature.amzDate()));
        } catch (DateTimeParseException e) {
            throw new EcrException("IncompleteSignatureException", "X-Amz-Date '" + signature.amzDate()
                    + "' must be yyyyMMdd'T'HHmmss'Z'");
        }
        if (!signature.amzDate().startsWith(signature.date())) {
            throw new EcrException("InvalidSignatureException", "Credential date " + signature.date()
                    + " is not the date of X-Amz-Date " + signature.amzDate());
        }
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new EcrException("InvalidSignatureException", "Signature expired: " + signature.amzDate()
                    + " is more than " + MAX_SKEW.toMinutes() + " minutes from now (" + AMZ_DATE.format(now) + ")");
        }
        String payloadHash = hex(sha256(request.body()));
        String declared = first(request, "x-amz-content-sha256");
        if (declared != null && !declared.equals("UNSIGNED-PAYLOAD") && !declared.equals(payloadHash)) {
            throw new EcrException("InvalidSignatureException",
                    "x-amz-content-sha256 is not the SHA-256 of the body");
        }
        String canonical = canonicalRequest(request, signature.signedHeaders(), payloadHash);
        String toSign = ALGORITHM + "\n" + signature.amzDate() + "\n" + signature.scope() + "\n"
                + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), signature.date());
        key = hmac(key, signature.region());
        key = hmac(key, signature.service());
        key = hmac(key, "aws4_request");
        byte[] expected = hmac(key, toSign);
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature.signature()))) {
            throw new EcrException("InvalidSignatureException", "The request signature we calculated does not "
                    + "match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
    }

    static String canonicalRequest(Request request, List<String> signedHeaders, String payloadHash) {
        StringBuilder headers = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = request.headers().apply(name);
            List<String> trimmed = new ArrayList<>();
            (values == null ? List.<String>of() : values)
                    .forEach(value -> trimmed.add(value.trim().replaceAll(" +", " ")));
            headers.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        return request.method() + "\n" + canonicalUri(request.rawPath()) + "\n" + canonicalQuery(request.rawQuery())
                + "\n" + headers + "\n" + String.join(";", signedHeaders) + "\n" + payloadHash;
    }

    /** Each segment of the path as sent, encoded once more (the rule of every service but S3). */
    private static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder uri = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                uri.append('/');
            }
            uri.append(encode(segments[i]));
        }
        return uri.toString();
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        Map<String, List<String>> parameters = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.computeIfAbsent(encode(name), k -> new ArrayList<>()).add(encode(value));
        }
        List<String> parts = new ArrayList<>();
        parameters.forEach((name, values) -> values.stream().sorted().forEach(value -> parts.add(name + "=" + value)));
        return String.join("&", parts);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986 encoding: everything but unreserved characters, as upper-case %XX. */
    static String encode(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    private static String first(Request request, String name) {
        List<String> values = request.headers().apply(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
