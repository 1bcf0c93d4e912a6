package io.cargohold.upstream.http;

import io.cargohold.oci.error.OciErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/tags/list}, following the upstream's {@code Link: <...>; rel="next"} pages (on the
 * same registry only) until it has no more or {@code maxTags} were read: a registry with more tags than that
 * is listed in part, its first {@code maxTags} in the upstream's order.
 */
final class TagsPuller {

    /** A page of the tag list is read up to this much. */
    static final int MAX_PAGE_BYTES = 4 * 1024 * 1024;
    private static final Pattern NEXT = Pattern.compile("<(/v2/[^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final RegistryEndpointCaller caller;

    TagsPuller(RegistryEndpointCaller caller) {
        this.caller = caller;
    }

    Future<List<String>> pull(String repository, int maxTags) {
        String action = "listing tags of " + repository + " from " + caller.host();
        return page(repository, "/v2/" + repository + "/tags/list", action, new ArrayList<>(), maxTags);
    }

    private Future<List<String>> page(String repository, String path, String action, List<String> tags, int maxTags) {
        RegistryRequest request = new RegistryRequest(HttpMethod.GET, path, RegistryRequest.pullScope(repository),
                List.of("application/json"), action, OciErrorCode.NAME_UNKNOWN);
        return caller.call(request).compose(response -> BoundedBody.read(caller.body(response, action), MAX_PAGE_BYTES)
                .recover(failure -> Future.failedFuture(failure instanceof BoundedBody.TooLargeException
                        ? UpstreamFailures.badContent(action, OciErrorCode.UNKNOWN, "a page of the tag list is larger "
                                + "than " + MAX_PAGE_BYTES + " bytes", response.statusCode())
                        : UpstreamFailures.fromThrowable(action, failure, caller.idle())))
                .compose(body -> {
                    addTags(action, body, tags, maxTags, response.statusCode());
                    String next = next(response.getHeader("Link"));
                    return next == null || tags.size() >= maxTags ? Future.succeededFuture(List.copyOf(tags))
                            : page(repository, next, action, tags, maxTags);
                }));
    }

    private static void addTags(String action, Buffer body, List<String> tags, int maxTags, int status) {
        JsonArray page;
        try {
            page = new JsonObject(body).getJsonArray("tags");
        } catch (RuntimeException e) {
            throw UpstreamFailures.badContent(action, OciErrorCode.UNKNOWN, "the tag list is not "
                    + "{\"name\", \"tags\": [...]}", status);
        }
        if (page == null) {
            return;
        }
        for (Object tag : page) {
            if (tags.size() >= maxTags) {
                return;
            }
            if (tag instanceof String name) {
                tags.add(name);
            }
        }
    }

    /** The path of the next page from a {@code Link} header, or null. */
    static String next(String link) {
        if (link == null) {
            return null;
        }
        Matcher matcher = NEXT.matcher(link);
        return matcher.find() ? matcher.group(1) : null;
    }
}
