package io.cargohold.meta.hazelcast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Metadata documents that could not be read (corrupt, truncated, or written by an unknown format):
 * each is logged with its key and counted, and then treated as absent, so the image it described is
 * fetched again on its next pull and its document rewritten. One unreadable document never fails a
 * start-up, a lookup or a listing.
 */
public final class SkippedDocuments {

    private static final Logger LOG = LoggerFactory.getLogger(SkippedDocuments.class);

    private final AtomicLong count = new AtomicLong();

    void skip(String key, RuntimeException failure) {
        count.incrementAndGet();
        LOG.warn("skipping unreadable metadata document {} (treated as not cached): {}", key, failure.toString());
    }

    public long count() {
        return count.get();
    }
}
