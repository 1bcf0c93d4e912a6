package io.cargohold.spi;

/**
 * A cached image manifest or index of one repository: the exact upstream bytes, their type, and
 * when it was cached and last pulled.
 */
public record ManifestRecord(String repository, String digest, String mediaType, byte[] content,
                             long cachedAtMillis, long lastPulledAtMillis) {

    public long size() {
        return content.length;
    }

    public ManifestRecord pulledAt(long millis) {
        return new ManifestRecord(repository, digest, mediaType, content, cachedAtMillis, millis);
    }
}
