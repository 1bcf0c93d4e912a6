package io.cargohold.spi;

/**
 * A cached tag: the digest it points to, when upstream was last asked about it and, for a tag of
 * an immutable repository that upstream has moved, the newer upstream digest (null otherwise).
 */
public record TagRecord(String repository, String tag, String digest, long lastCheckedAtMillis,
                        String upstreamDigest) {

    public TagRecord(String repository, String tag, String digest, long lastCheckedAtMillis) {
        this(repository, tag, digest, lastCheckedAtMillis, null);
    }

    public TagRecord checkedAt(long millis) {
        return new TagRecord(repository, tag, digest, millis, upstreamDigest);
    }

    /** The tag kept where it is, upstream having moved it to {@code newer}. */
    public TagRecord withUpstreamDigest(String newer, long checkedAtMillis) {
        return new TagRecord(repository, tag, digest, checkedAtMillis, newer);
    }
}
