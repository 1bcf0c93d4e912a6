package io.cargohold.edge;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.UpstreamClient;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link UpstreamClient} decorator that counts the calls that reach the real client, per
 * operation, repository and reference (distribution's {@code statsBlobStore}).
 */
public final class CountingUpstreamClient implements UpstreamClient {

    private final UpstreamClient delegate;
    private final Counts counts;

    public CountingUpstreamClient(UpstreamClient delegate, Counts counts) {
        this.delegate = delegate;
        this.counts = counts;
    }

    @Override
    public String host() {
        return delegate.host();
    }

    @Override
    public Future<UpstreamManifest> getManifest(String repository, Reference reference, long maxBytes) {
        counts.increment(Counts.manifestKey("GET", repository, reference));
        return delegate.getManifest(repository, reference, maxBytes);
    }

    @Override
    public Future<UpstreamManifest.Head> headManifest(String repository, Reference reference) {
        counts.increment(Counts.manifestKey("HEAD", repository, reference));
        return delegate.headManifest(repository, reference);
    }

    @Override
    public Future<BlobContent.Stream> getBlob(String repository, Digest digest, long offset) {
        counts.increment(Counts.blobKey(digest));
        counts.increment("GET blob " + repository + "@" + digest.value());
        return delegate.getBlob(repository, digest, offset);
    }

    @Override
    public Future<Optional<byte[]>> getReferrers(String repository, Digest subject, long maxBytes) {
        counts.increment(Counts.referrersKey(repository, subject));
        return delegate.getReferrers(repository, subject, maxBytes);
    }

    @Override
    public Future<List<String>> listTags(String repository, int maxTags) {
        counts.increment(Counts.tagsKey(repository));
        return delegate.listTags(repository, maxTags);
    }

    @Override
    public OptionalLong rateLimitRemaining() {
        return delegate.rateLimitRemaining();
    }

    /** Call counts, shared by every client of a harness. */
    public static final class Counts {

        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        void increment(String key) {
            calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        static String manifestKey(String method, String repository, Reference reference) {
            return method + " manifest " + repository + (reference instanceof Digest ? "@" : ":") + reference.value();
        }

        static String referrersKey(String repository, Digest subject) {
            return "GET referrers " + repository + "@" + subject.value();
        }

        static String tagsKey(String repository) {
            return "GET tags " + repository;
        }

        /** GETs of the tag list, by upstream repository (one per listing, however many pages it had). */
        public int tagLists(String upstreamRepository) {
            return get(tagsKey(upstreamRepository));
        }

        static String blobKey(Digest digest) {
            return "GET blob " + digest.value();
        }

        /** GETs of the referrers API, by upstream repository and subject digest. */
        public int referrersGets(String upstreamRepository, Digest subject) {
            return get(referrersKey(upstreamRepository, subject));
        }

        /** GETs of a manifest, by upstream repository and tag or digest. */
        public int manifestGets(String upstreamRepository, Reference reference) {
            return get(manifestKey("GET", upstreamRepository, reference));
        }

        /** HEADs of a manifest (tag revalidation), by upstream repository and tag or digest. */
        public int manifestHeads(String upstreamRepository, Reference reference) {
            return get(manifestKey("HEAD", upstreamRepository, reference));
        }

        /** GETs of a blob, whatever the repository. */
        public int blobGets(Digest digest) {
            return get(blobKey(digest));
        }

        /** GETs of a blob from one upstream repository. */
        public int blobGets(String upstreamRepository, Digest digest) {
            return get("GET blob " + upstreamRepository + "@" + digest.value());
        }

        public int get(String key) {
            AtomicInteger count = calls.get(key);
            return count == null ? 0 : count.get();
        }

        /** Every call so far, for failure messages. */
        public Map<String, Integer> snapshot() {
            Map<String, Integer> copy = new TreeMap<>();
            calls.forEach((key, count) -> copy.put(key, count.get()));
            return copy;
        }

        @Override
        public String toString() {
            return snapshot().toString();
        }
    }
}
