package io.cargohold.coordinator.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Calls the control API under {@code <url>/api/v1}; a refusal becomes a {@link CtlException} with the API's error line. */
final class ApiClient {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final String base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code authorization}: the {@code Authorization} header of every call, or null for none. */
    ApiClient(String url, String authorization) {
        this.base = url.replaceAll("/+$", "") + "/api/v1";
        this.authorization = authorization;
    }

    /** Path segments are kept as they are: prefixes and repository names contain slashes. */
    JsonObject call(String method, String path, JsonObject body) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new CtlException("'" + path + "' is not a valid resource name");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CtlException(method + " " + uri + " failed: " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted");
        }
        JsonObject answer = parse(response.body());
        if (response.statusCode() >= 300) {
            throw new CtlException(response.statusCode() + " " + errorLine(answer, response.body()));
        }
        return answer;
    }

    /**
     * A list of the API: the page {@code page} asks for as answered, or else every page, following
     * {@code nextToken} to the end, with every item in {@code items} and no token.
     */
    JsonObject list(String path, String items, PageOptions page) {
        if (page.onePage()) {
            return call("GET", path + PageOptions.query(page.maxResults, page.nextToken), null);
        }
        JsonObject answer = call("GET", path + PageOptions.query(page.pageSize, null), null);
        JsonArray all = answer.getJsonArray(items, new JsonArray());
        String next = (String) answer.remove("nextToken");
        while (next != null) {
            JsonObject following = call("GET", path + PageOptions.query(page.pageSize, next), null);
            all.addAll(following.getJsonArray(items, new JsonArray()));
            next = following.getString("nextToken");
        }
        return answer.put(items, all);
    }

    static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    private static JsonObject parse(String body) {
        if (body == null || body.isBlank()) {
            return new JsonObject();
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException e) {
            return new JsonObject().put("text", body);
        }
    }

    /** {@code field: 'value' message} of each error, joined by {@code ; }. */
    private static String errorLine(JsonObject answer, String body) {
        if (!answer.containsKey("errors")) {
            return body.strip();
        }
        StringBuilder line = new StringBuilder();
        answer.getJsonArray("errors").stream().map(JsonObject.class::cast).forEach(error -> {
            if (!line.isEmpty()) {
                line.append("; ");
            }
            if (error.getString("field") != null) {
                line.append(error.getString("field")).append(": ");
                line.append(error.getString("value") == null ? "(missing)" : "'" + error.getString("value") + "'")
                        .append(' ');
            }
            line.append(error.getString("message"));
        });
        return line.toString();
    }
}
