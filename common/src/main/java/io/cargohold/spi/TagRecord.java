package io.cargohold.spi;

/** A cached tag: the digest it points to and when upstream was last asked about it. */
public record TagRecord(String repository, String tag, String digest, long lastCheckedAtMillis) {

    public TagRecord checkedAt(long millis) {
        return new TagRecord(repository, tag, digest, millis);
    }
}
