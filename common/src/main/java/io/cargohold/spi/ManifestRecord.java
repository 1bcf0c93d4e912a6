package io.cargohold.spi;

import java.time.Duration;

/**
 * A cached image manifest or index of one repository: the exact upstream bytes, their type, and
 * when it was cached and last pulled. The last pull is recorded at most once per
 * {@link #PULL_PRECISION}, so that hot manifests do not cost a storage write per pull: it can lag
 * the real last pull by that much. {@code signature} is the verdict of the signature check of a rule
 * with {@code verify}: which trusted signature the image passed with (null: not checked).
 */
public record ManifestRecord(String repository, String digest, String mediaType, byte[] content,
                             long cachedAtMillis, long lastPulledAtMillis, String signature) {

    public static final Duration PULL_PRECISION = Duration.ofMinutes(1);

    /** A manifest whose signature was not checked. */
    public ManifestRecord(String repository, String digest, String mediaType, byte[] content, long cachedAtMillis,
                          long lastPulledAtMillis) {
        this(repository, digest, mediaType, content, cachedAtMillis, lastPulledAtMillis, null);
    }

    public long size() {
        return content.length;
    }

    public ManifestRecord pulledAt(long millis) {
        return new ManifestRecord(repository, digest, mediaType, content, cachedAtMillis, millis, signature);
    }

    public ManifestRecord withSignature(String verdict) {
        return new ManifestRecord(repository, digest, mediaType, content, cachedAtMillis, lastPulledAtMillis, verdict);
    }
}
