package io.cargohold.spi;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;

/**
 * One versioned event, keyed by repository. {@code digest} and {@code tag} are null where they do
 * not apply; {@code node} names the process that saw it; {@code detail} says what went wrong, for
 * {@code upstream-error} events, why an image was expired, for {@code image-expired} events, and why it was
 * refused, for {@code image-denied} events.
 */
public record RegistryEvent(int version, String type, long timeMillis, String repository, String tag,
                            String digest, String mediaType, long size, String node, String detail) {

    public static final int VERSION = 1;
    public static final String PULL = "pull";
    public static final String CACHE_MISS = "cache-miss";
    public static final String IMAGE_CACHED = "image-cached";
    public static final String TAG_REFRESHED = "tag-refreshed";
    public static final String IMAGE_EXPIRED = "image-expired";
    public static final String UPSTREAM_ERROR = "upstream-error";
    public static final String IMAGE_DENIED = "image-denied";
    public static final String AUDIT = "audit";

    public static RegistryEvent of(String type, String repository, String tag, String digest, String mediaType,
                                   long size, String node) {
        return new RegistryEvent(VERSION, type, System.currentTimeMillis(), repository, tag, digest, mediaType,
                size, node, null);
    }

    /** A fetch from the upstream of {@code repository} failed; {@code detail} says which and how. */
    public static RegistryEvent upstreamError(String repository, String tag, String digest, String detail,
                                              String node) {
        return new RegistryEvent(VERSION, UPSTREAM_ERROR, System.currentTimeMillis(), repository, tag, digest, null,
                -1, node, detail);
    }

    /** A rule refused an image before caching or serving it: {@code reason} names the pattern or the signature. */
    public static RegistryEvent imageDenied(String repository, String tag, String digest, String reason,
                                            String node) {
        return new RegistryEvent(VERSION, IMAGE_DENIED, System.currentTimeMillis(), repository, tag, digest, null,
                -1, node, reason);
    }

    /**
     * The lifecycle worker deleted an image: {@code tags} are the tags it had (comma-separated, null
     * when untagged), {@code size} its bytes, {@code reason} the rule or quota that expired it.
     */
    public static RegistryEvent imageExpired(String repository, String tags, String digest, String mediaType,
                                             long size, String reason, String node) {
        return new RegistryEvent(VERSION, IMAGE_EXPIRED, System.currentTimeMillis(), repository, tags, digest,
                mediaType, size, node, reason);
    }

    /**
     * Every field, null ones too, in declaration order (docs/events.md). Written field by field: a
     * pull publishes one event per manifest GET, and Jackson's object mapping of the record was a
     * tenth of a cached GET's time.
     */
    public JsonObject toJson() {
        return new JsonObject(new LinkedHashMap<>(16))
                .put("version", version).put("type", type).put("timeMillis", timeMillis)
                .put("repository", repository).put("tag", tag).put("digest", digest).put("mediaType", mediaType)
                .put("size", size).put("node", node).put("detail", detail);
    }

    /** The event {@link #toJson} wrote; a missing number reads as 0. */
    public static RegistryEvent fromJson(JsonObject json) {
        return new RegistryEvent(json.getInteger("version", 0), json.getString("type"),
                json.getLong("timeMillis", 0L), json.getString("repository"), json.getString("tag"),
                json.getString("digest"), json.getString("mediaType"), json.getLong("size", 0L),
                json.getString("node"), json.getString("detail"));
    }
}
