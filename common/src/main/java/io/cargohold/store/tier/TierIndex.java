package io.cargohold.store.tier;

import io.cargohold.oci.Digest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The blobs a local tier holds, with their sizes, in order of last use (least recent first), and
 * their total size. In memory only: it is rebuilt from the tier directory at start. Thread-safe.
 */
final class TierIndex {

    /** Access order: every {@link #touch} moves a blob to the most recently used end. */
    private final LinkedHashMap<Digest, Long> sizes = new LinkedHashMap<>(64, 0.75f, true);
    private long totalBytes;

    /** The size of a held blob, marking it used now; empty when the tier does not hold it. */
    synchronized OptionalLong touch(Digest digest) {
        Long size = sizes.get(digest);
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }

    /** Whether the tier holds a blob, without marking it used. */
    synchronized boolean contains(Digest digest) {
        return sizes.containsKey(digest);
    }

    /** Records a held blob as the most recently used. */
    synchronized void add(Digest digest, long size) {
        Long previous = sizes.put(digest, size);
        totalBytes += size - (previous == null ? 0 : previous);
    }

    synchronized void remove(Digest digest) {
        Long previous = sizes.remove(digest);
        if (previous != null) {
            totalBytes -= previous;
        }
    }

    /** Removes least recently used blobs until the total is at most {@code maxBytes}; answers them. */
    synchronized List<Digest> evictOver(long maxBytes) {
        List<Digest> evicted = new ArrayList<>();
        Iterator<Map.Entry<Digest, Long>> leastRecentFirst = sizes.entrySet().iterator();
        while (totalBytes > maxBytes && leastRecentFirst.hasNext()) {
            Map.Entry<Digest, Long> entry = leastRecentFirst.next();
            totalBytes -= entry.getValue();
            evicted.add(entry.getKey());
            leastRecentFirst.remove();
        }
        return evicted;
    }

    /** Every held blob, least recently used first. */
    synchronized List<Digest> digests() {
        return List.copyOf(sizes.keySet());
    }

    synchronized long totalBytes() {
        return totalBytes;
    }
}
