package io.cargohold.pin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A pinned image: fetched ahead of any pull with all its blobs (for an index, those of its rule's platforms),
 * re-checked at its rule's refresh interval, and never expired or evicted. {@code image} names it as the
 * cache does ({@link PinnedImage}); {@code source} says who pinned it: {@link #API} or {@link #CONFIG} (a rule's
 * {@code warm} list). The rest is its warm-up: its state, the bytes fetched of the bytes its blobs hold, the
 * digest its reference resolved to and, for an index, the digests of the platform manifests warmed, the last
 * error, the failed attempts since the last success and when the next is due, and when it was last ready.
 */
public record Pin(String id, String image, String source, Instant createdAt, String createdBy, State state,
                  long bytesDone, long bytesTotal, String digest, List<String> platformDigests, String error,
                  int attempts, Instant nextAttemptAt, Instant lastWarmedAt) {

    public static final String API = "api";
    public static final String CONFIG = "config";
    static final int ID_LENGTH = 16;
    /** A pin id: the start of the SHA-256 of its image's name ({@link PinnedImage#id}). */
    public static final String ID_REGEX = "[0-9a-f]{" + ID_LENGTH + "}";

    /** A warm-up's state: waiting for the worker, under way, every blob cached, or failed until its next attempt. */
    public enum State {
        PENDING, WARMING, READY, FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    public Pin {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(state, "state");
        platformDigests = platformDigests == null ? List.of() : List.copyOf(platformDigests);
    }

    /** A new pin of {@code image}, waiting for its first warm-up. */
    public static Pin of(PinnedImage image, String source, Instant now, String who) {
        return new Pin(image.id(), image.toString(), source, now, who, State.PENDING, 0, 0, null, List.of(), null, 0,
                null, null);
    }

    public PinnedImage pinnedImage() {
        return PinnedImage.parse(image);
    }

    /** A warm-up begins: nothing counted yet. */
    public Pin warming() {
        return new Pin(id, image, source, createdAt, createdBy, State.WARMING, 0, 0, digest, platformDigests, error,
                attempts, nextAttemptAt, lastWarmedAt);
    }

    /** The manifests are resolved: the digests kept, the bytes of every blob to fetch. */
    public Pin resolved(String resolved, List<String> platforms, long total) {
        return new Pin(id, image, source, createdAt, createdBy, State.WARMING, 0, total, resolved, platforms, error,
                attempts, nextAttemptAt, lastWarmedAt);
    }

    public Pin progressed(long done) {
        return new Pin(id, image, source, createdAt, createdBy, state, done, bytesTotal, digest, platformDigests,
                error, attempts, nextAttemptAt, lastWarmedAt);
    }

    public Pin ready(Instant now) {
        return new Pin(id, image, source, createdAt, createdBy, State.READY, bytesTotal, bytesTotal, digest,
                platformDigests, null, 0, null, now);
    }

    /** A failed attempt, tried again after {@code backOff}. */
    public Pin failed(String why, Instant now, Duration backOff) {
        return new Pin(id, image, source, createdAt, createdBy, State.FAILED, bytesDone, bytesTotal, digest,
                platformDigests, why, attempts + 1, now.plus(backOff), lastWarmedAt);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("image", image)
                .put("source", source)
                .put("createdAt", text(createdAt))
                .put("createdBy", createdBy)
                .put("state", state.label())
                .put("bytesDone", bytesDone)
                .put("bytesTotal", bytesTotal)
                .put("digest", digest)
                .put("platformDigests", new JsonArray(platformDigests))
                .put("error", error)
                .put("attempts", attempts)
                .put("nextAttemptAt", text(nextAttemptAt))
                .put("lastWarmedAt", text(lastWarmedAt));
    }

    public static Pin fromJson(JsonObject json) {
        JsonArray platforms = json.getJsonArray("platformDigests", new JsonArray());
        return new Pin(json.getString("id"), json.getString("image"), json.getString("source"),
                instant(json.getString("createdAt")), json.getString("createdBy"), State.of(json.getString("state")),
                json.getLong("bytesDone", 0L), json.getLong("bytesTotal", 0L), json.getString("digest"),
                platforms.stream().map(String.class::cast).toList(), json.getString("error"),
                json.getInteger("attempts", 0), instant(json.getString("nextAttemptAt")),
                instant(json.getString("lastWarmedAt")));
    }

    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
