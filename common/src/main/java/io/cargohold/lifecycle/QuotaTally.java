package io.cargohold.lifecycle;

/**
 * What a quota weighs: the bytes of the blobs a set of images references, each blob counted once
 * however many images share it, and for each blob how many of the images reference it, so that
 * forgetting an image frees exactly the blobs no other image holds. Images are added one at a time
 * and not kept: a blob is a 64-bit fingerprint of its digest and a count in flat arrays (13 bytes a
 * slot, at least two slots a blob), so weighing a million images holds none of them. Two digests with one
 * fingerprint (odds about n²/2⁶⁵ among n blobs) would count as one blob.
 */
public final class QuotaTally {

    private static final int INITIAL_CAPACITY = 1024;

    private long[] fingerprints = new long[INITIAL_CAPACITY];
    private int[] counts = new int[INITIAL_CAPACITY];
    private boolean[] used = new boolean[INITIAL_CAPACITY];
    private int slots;
    private long totalBytes;

    /** Counts an image's blobs. */
    public void add(StoredImage image) {
        image.blobs().forEach((digest, size) -> {
            int slot = slot(fingerprint(digest));
            if (counts[slot]++ == 0) {
                totalBytes += size;
            }
        });
    }

    /** Forgets an image added before: its blobs no other image references stop counting. */
    public void remove(StoredImage image) {
        image.blobs().forEach((digest, size) -> {
            int slot = slot(fingerprint(digest));
            if (counts[slot] > 0 && --counts[slot] == 0) {
                totalBytes -= size;
            }
        });
    }

    /** The bytes of the blobs the images added and not removed reference, each blob counted once. */
    public long totalBytes() {
        return totalBytes;
    }

    /** The slot of {@code fingerprint}, claimed (with a count of 0) if it had none. */
    private int slot(long fingerprint) {
        if (2 * (slots + 1) > fingerprints.length) {
            grow();
        }
        int mask = fingerprints.length - 1;
        int slot = (int) fingerprint & mask;
        while (used[slot] && fingerprints[slot] != fingerprint) {
            slot = (slot + 1) & mask;
        }
        if (!used[slot]) {
            used[slot] = true;
            fingerprints[slot] = fingerprint;
            slots++;
        }
        return slot;
    }

    private void grow() {
        long[] oldFingerprints = fingerprints;
        int[] oldCounts = counts;
        boolean[] oldUsed = used;
        fingerprints = new long[oldFingerprints.length * 2];
        counts = new int[fingerprints.length];
        used = new boolean[fingerprints.length];
        slots = 0;
        for (int i = 0; i < oldFingerprints.length; i++) {
            if (oldUsed[i]) {
                counts[slot(oldFingerprints[i])] = oldCounts[i];
            }
        }
    }

    /** FNV-1a over the digest's characters, then MurmurHash3's finalizer to spread the bits. */
    private static long fingerprint(String digest) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < digest.length(); i++) {
            hash = (hash ^ digest.charAt(i)) * 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 33)) * 0xff51afd7ed558ccdL;
        hash = (hash ^ (hash >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return hash ^ (hash >>> 33);
    }
}
