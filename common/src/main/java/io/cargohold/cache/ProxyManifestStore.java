package io.cargohold.cache;

import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.Tag;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.oci.error.StorageFullException;
import io.cargohold.oci.error.UpstreamException;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.BlobWriter;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.FetchLeases;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagMutability;
import io.cargohold.spi.TagRecord;
import io.cargohold.spi.UpstreamManifest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Manifests through the cache (distribution's {@code proxyManifestStore}). By digest: served from
 * the cache once there. By tag: served from the cache while the tag was checked upstream within
 * the rule's refresh interval; after that re-checked with a HEAD, and served stale when the
 * upstream is down or rate-limits. One upstream request per repository and reference at a time,
 * on this node and across the cluster. After an outage answer, the tag is served stale without
 * asking again for {@link #OUTAGE_BACKOFF}, so a down or rate-limiting upstream is not asked once
 * per pull. A tag of an {@code IMMUTABLE} repository never moves: a re-check that finds it moved
 * upstream records the new digest beside it ({@link TagRecord#upstreamDigest()}) and serves ours.
 * A client waits on a tag's re-check at most its rule's {@code revalidateTimeout}; then it is served
 * the cached manifest stale, and so is every client after it until the re-check, which goes on under
 * the upstream's own time-outs, has ended (stale-while-revalidate).
 * A repository created by a first pull gets the settings of its creation template. What a rule does not let in
 * is refused first ({@link ImageGate}): by its lists before any upstream request; under {@code verify}, an image
 * is cached only with a trusted signature, checked when it is fetched, and the verdict is kept with it, so a
 * verified image still pulls while the upstream is down; an index that passes vouches for its platform manifests,
 * which are cached with it.
 */
public final class ProxyManifestStore {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyManifestStore.class);
    public static final Duration OUTAGE_BACKOFF = Duration.ofSeconds(30);
    /** The platform manifests of a verified index cached with it, at most. */
    static final int MAX_VOUCHED = 64;

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Upstreams upstreams;
    private final RepositoryTemplates templates;
    private final EventPublisher events;
    private final String node;
    private final long maxManifestBytes;
    private final Clock clock;
    private final SingleFlight<String, ServedManifest> flights = new SingleFlight<>();
    private final ClusterSingleFlight flight;
    private final Map<String, Outage> outages = new ConcurrentHashMap<>();
    private final ImageGate gate;

    /** The upstream's last outage answer for a tag, and until when it stands. */
    private record Outage(long untilMillis, String reason) {
    }

    public ProxyManifestStore(MetadataStore metadata, BlobStore blobs, Upstreams upstreams,
                              RepositoryTemplates templates, FetchLeases leases, EventPublisher events, String node,
                              long maxManifestBytes, Clock clock, CacheMeters meters) {
        this.flight = new ClusterSingleFlight(leases);
        this.gate = new ImageGate(upstreams, events, node, meters);
        this.metadata = metadata;
        this.blobs = blobs;
        this.upstreams = upstreams;
        this.templates = templates;
        this.events = events;
        this.node = node;
        this.maxManifestBytes = maxManifestBytes;
        this.clock = clock;
    }

    public Future<ServedManifest> get(ProxyTarget target, Reference reference) {
        return gate.admit(target, reference).compose(v -> lookup(target, reference));
    }

    private Future<ServedManifest> lookup(ProxyTarget target, Reference reference) {
        if (reference instanceof Digest digest) {
            return cached(target, digest).compose(hit -> hit != null
                    ? Future.succeededFuture(ServedManifest.fresh(hit))
                    : flights.run(target.describe(digest), () -> fetch(target, digest)));
        }
        Tag tag = (Tag) reference;
        return metadata.tag(target.name(), tag.value()).compose(cachedTag -> {
            if (cachedTag.isEmpty()) {
                return flights.run(target.describe(tag), () -> fetch(target, tag));
            }
            TagRecord record = cachedTag.get();
            if (isFresh(target, record)) {
                return cached(target, Digest.parse(record.digest())).compose(hit -> hit != null
                        ? Future.succeededFuture(ServedManifest.fresh(hit))
                        : flights.run(target.describe(tag), () -> fetch(target, tag)));
            }
            Outage outage = outages.get(target.describe(tag));
            if (outage != null && clock.millis() < outage.untilMillis()) {
                return cached(target, Digest.parse(record.digest())).compose(hit -> hit != null
                        ? Future.succeededFuture(new ServedManifest(hit, outage.reason()))
                        : flights.run(target.describe(tag), () -> fetch(target, tag)));
            }
            return revalidateWithin(target, record);
        });
    }

    /**
     * The re-check of a due tag, or the cached manifest stale when the upstream has not answered
     * within the rule's {@code revalidateTimeout}. Without a Vert.x context (no timer) it waits.
     */
    private Future<ServedManifest> revalidateWithin(ProxyTarget target, TagRecord record) {
        String key = target.describe(new Tag(record.tag()));
        Future<ServedManifest> recheck = flights.run(key, () -> revalidate(target, record));
        Context context = Vertx.currentContext();
        if (recheck.isComplete() || context == null) {
            return recheck;
        }
        Duration patience = target.rule().revalidateTimeout();
        Promise<ServedManifest> answer = Promise.promise();
        long timer = context.owner().setTimer(patience.toMillis(), id -> cached(target, Digest.parse(record.digest()))
                .onSuccess(hit -> {
                    if (hit == null || recheck.isComplete()) {
                        return;
                    }
                    String reason = "upstream did not answer within " + patience + "; re-checking in the background";
                    Outage pending = new Outage(clock.millis() + OUTAGE_BACKOFF.toMillis(), reason);
                    outages.put(key, pending);
                    // Ends with the re-check, unless its own outage answer replaced it.
                    recheck.onComplete(done -> outages.remove(key, pending));
                    answer.tryComplete(new ServedManifest(hit, reason));
                }));
        recheck.onComplete(done -> {
            context.owner().cancelTimer(timer);
            if (done.succeeded()) {
                answer.tryComplete(done.result());
            } else {
                answer.tryFail(done.cause());
            }
        });
        return answer.future();
    }

    /**
     * Re-checks a cached tag upstream now, however fresh it is (an operator's refresh); empty when
     * the tag is not cached. The tag is first marked due, as if its refresh interval had passed, so
     * the fetch of a moved tag does not take the cached manifest for one another node just stored.
     */
    public Future<Optional<ServedManifest>> recheck(ProxyTarget target, Tag tag) {
        return metadata.tag(target.name(), tag.value()).compose(cached -> {
            if (cached.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            TagRecord due = cached.get().checkedAt(0);
            return metadata.putTag(due)
                    .compose(v -> flights.run(target.describe(tag), () -> revalidate(target, due)))
                    .map(Optional::of);
        });
    }

    /** Records that a manifest was pulled, at most once per {@link ManifestRecord#PULL_PRECISION}. */
    public void recordPull(ManifestRecord manifest, String tag) {
        long now = clock.millis();
        if (now - manifest.lastPulledAtMillis() >= ManifestRecord.PULL_PRECISION.toMillis()) {
            metadata.markPulled(manifest.repository(), manifest.digest(), now);
        }
        events.publish(RegistryEvent.of(RegistryEvent.PULL, manifest.repository(), tag, manifest.digest(),
                manifest.mediaType(), manifest.size(), node));
    }

    /**
     * The cached manifest, or null. Under {@code verify}, one cached before the rule verified has its signature
     * checked now, and its verdict kept.
     */
    private Future<ManifestRecord> cached(ProxyTarget target, Digest digest) {
        return metadata.manifest(target.name(), digest.value()).compose(hit -> {
            if (hit.isEmpty() || hit.get().signature() != null || !target.gate().verifies()) {
                return Future.succeededFuture(hit.orElse(null));
            }
            ManifestRecord verified = hit.get();
            return gate.verify(target, digest, digest).map(verified::withSignature)
                    .compose(record -> metadata.putManifest(record).map(record));
        });
    }

    private Future<ServedManifest> revalidate(ProxyTarget target, TagRecord record) {
        Tag tag = new Tag(record.tag());
        return upstreams.client(target.rule()).headManifest(target.upstreamRepository(), tag)
                .onFailure(failure -> publishUpstreamError(target, tag, failure))
                .compose(head -> {
                    if (!head.digest().value().equals(record.digest())) {
                        return metadata.repository(target.name()).compose(repository -> isImmutable(repository)
                                ? keep(target, record, head.digest())
                                : fetch(target, tag).onSuccess(served -> events.publish(RegistryEvent.of(
                                        RegistryEvent.TAG_REFRESHED, target.name(), tag.value(),
                                        served.manifest().digest(), served.manifest().mediaType(),
                                        served.manifest().size(), node))));
                    }
                    return recordCheck(target, record.withUpstreamDigest(null, clock.millis()))
                            .compose(v -> cached(target, head.digest()))
                            .compose(hit -> hit != null ? Future.succeededFuture(ServedManifest.fresh(hit))
                                    : fetch(target, tag));
                })
                .onSuccess(served -> outages.remove(target.describe(tag)))
                .recover(failure -> serveStale(target, record, failure));
    }

    private static boolean isImmutable(Optional<Repository> repository) {
        return repository.map(found -> found.settings().tagMutability() == TagMutability.IMMUTABLE).orElse(false);
    }

    /** An immutable repository's tag stays where it is; the digest upstream moved it to is noted beside it. */
    private Future<ServedManifest> keep(ProxyTarget target, TagRecord record, Digest upstream) {
        Digest ours = Digest.parse(record.digest());
        return recordCheck(target, record.withUpstreamDigest(upstream.value(), clock.millis()))
                .compose(v -> cached(target, ours))
                .compose(hit -> hit != null ? Future.succeededFuture(ServedManifest.fresh(hit)) : fetch(target, ours));
    }

    /**
     * Writes a re-checked tag whose manifest stays the cached one. A write that fails (storage down)
     * does not fail the read: the tag stays due, and the next pull re-checks it again.
     */
    private Future<Void> recordCheck(ProxyTarget target, TagRecord checked) {
        return metadata.putTag(checked).recover(failure -> {
            LOG.warn("re-check of {} not recorded: {}", target.describe(new Tag(checked.tag())), failure.getMessage());
            return Future.succeededFuture();
        });
    }

    private Future<ServedManifest> serveStale(ProxyTarget target, TagRecord record, Throwable failure) {
        if (!(failure instanceof UpstreamException upstream) || !upstream.isOutage()) {
            return Future.failedFuture(failure);
        }
        return cached(target, Digest.parse(record.digest())).compose(hit -> {
            if (hit == null) {
                return Future.failedFuture(failure);
            }
            LOG.warn("serving stale {}: {}", target.describe(record.tag()), failure.getMessage());
            outages.put(target.describe(record.tag()),
                    new Outage(clock.millis() + OUTAGE_BACKOFF.toMillis(), failure.getMessage()));
            return Future.succeededFuture(new ServedManifest(hit, failure.getMessage()));
        });
    }

    private boolean isFresh(ProxyTarget target, TagRecord tag) {
        Duration age = Duration.ofMillis(clock.millis() - tag.lastCheckedAtMillis());
        return age.compareTo(target.rule().refreshInterval()) < 0;
    }

    /** Fetches from upstream, unless another node is doing it: then serves what it stored. */
    private Future<ServedManifest> fetch(ProxyTarget target, Reference reference) {
        return flight.run("manifest:" + target.describe(reference), () -> storedMeanwhile(target, reference),
                () -> fetchNow(target, reference));
    }

    private Future<Optional<ServedManifest>> storedMeanwhile(ProxyTarget target, Reference reference) {
        Future<Optional<Digest>> digest = reference instanceof Digest known
                ? Future.succeededFuture(Optional.of(known))
                : metadata.tag(target.name(), reference.value()).map(tag -> tag
                        .filter(record -> isFresh(target, record))
                        .map(record -> Digest.parse(record.digest())));
        return digest.compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.empty())
                : cached(target, found.get()).map(hit -> Optional.ofNullable(hit).map(ServedManifest::fresh)));
    }

    private Future<ServedManifest> fetchNow(ProxyTarget target, Reference reference) {
        events.publish(RegistryEvent.of(RegistryEvent.CACHE_MISS, target.name(), tagOf(reference),
                reference instanceof Digest digest ? digest.value() : null, null, -1, node));
        return upstreams.client(target.rule())
                .getManifest(target.upstreamRepository(), reference, maxManifestBytes)
                .onFailure(failure -> publishUpstreamError(target, reference, failure))
                .compose(upstream -> target.gate().verifies()
                        ? verifyAndStore(target, reference, upstream) : store(target, reference, upstream, null));
    }

    /**
     * Stores an image that passed its signature check, with the verdict; an index, after the platform
     * manifests it lists, which it vouches for.
     */
    private Future<ServedManifest> verifyAndStore(ProxyTarget target, Reference reference, UpstreamManifest upstream) {
        return gate.verify(target, reference, upstream.digest()).compose(verdict -> {
            Manifest parsed = parse(target, reference, upstream);
            if (parsed == null || !parsed.isIndex()) {
                return store(target, reference, upstream, verdict);
            }
            String vouched = "listed by " + upstream.digest().value() + ", " + verdict;
            List<Future<Void>> platforms = parsed.manifests().stream().limit(MAX_VOUCHED)
                    .map(child -> vouch(target, child.digest(), vouched))
                    .toList();
            return Future.all(platforms).compose(v -> store(target, reference, upstream, verdict));
        });
    }

    private void publishUpstreamError(ProxyTarget target, Reference reference, Throwable failure) {
        events.publish(RegistryEvent.upstreamError(target.name(), tagOf(reference),
                reference instanceof Digest digest ? digest.value() : null, failure.getMessage(), node));
    }

    /**
     * Stores a referrers index fetched from the upstream under {@code reference} (not an image: never checked
     * for a signature).
     */
    Future<ServedManifest> store(ProxyTarget target, Reference reference, UpstreamManifest upstream) {
        return store(target, reference, upstream, null);
    }

    /** Caches a platform manifest of a verified index, or notes the index's verdict on the cached one. */
    private Future<Void> vouch(ProxyTarget target, Digest platform, String verdict) {
        return metadata.manifest(target.name(), platform.value()).compose(hit -> {
            if (hit.isPresent()) {
                return hit.get().signature() != null ? Future.succeededFuture()
                        : metadata.putManifest(hit.get().withSignature(verdict));
            }
            return upstreams.client(target.rule())
                    .getManifest(target.upstreamRepository(), platform, maxManifestBytes)
                    .compose(fetched -> store(target, platform, fetched, verdict)).mapEmpty();
        });
    }

    /** Parses a fetched manifest; an invalid one is the upstream's fault, thrown as a bad gateway. */
    private Manifest parse(ProxyTarget target, Reference reference, UpstreamManifest upstream) {
        try {
            return Manifest.parse(upstream.content(), upstream.mediaType());
        } catch (RegistryException invalid) {
            throw new UpstreamException(invalid.code(), "fetching manifest "
                    + target.upstreamRepository() + (reference instanceof Digest ? "@" : ":") + reference.value()
                    + " from " + upstreams.client(target.rule()).host() + " failed: " + invalid.getMessage(),
                    502, 200, invalid);
        }
    }

    /** Stores a manifest fetched from the upstream under {@code reference}, checking it parses first. */
    private Future<ServedManifest> store(ProxyTarget target, Reference reference, UpstreamManifest upstream,
                                         String signature) {
        try {
            parse(target, reference, upstream);
        } catch (UpstreamException invalid) {
            return Future.failedFuture(invalid);
        }
        long now = clock.millis();
        ManifestRecord record = new ManifestRecord(target.name(), upstream.digest().value(), upstream.mediaType(),
                upstream.content(), now, now, signature);
        Repository repository = new Repository(target.name(), target.rule().prefix(), target.rule().upstreamUrl(),
                target.upstreamRepository(), now, templates.settingsFor(target.name()));
        return writeBlob(upstream)
                .compose(v -> metadata.createRepositoryIfAbsent(repository))
                .compose(v -> metadata.putManifest(record))
                .compose(v -> reference instanceof Tag tag
                        ? metadata.putTag(new TagRecord(target.name(), tag.value(), record.digest(), now))
                        : Future.succeededFuture())
                .map(v -> {
                    events.publish(RegistryEvent.of(RegistryEvent.IMAGE_CACHED, target.name(), tagOf(reference),
                            record.digest(), record.mediaType(), record.size(), node));
                    return ServedManifest.fetched(record);
                });
    }

    /** Keeps the exact manifest bytes in the blob store too: durable, content-addressed truth. */
    private Future<Void> writeBlob(UpstreamManifest upstream) {
        BlobWriter writer = blobs.create();
        return writer.write(Buffer.buffer(upstream.content()))
                .compose(v -> writer.commit(upstream.digest()))
                .recover(e -> writer.cancel().transform(c -> Future.failedFuture(e instanceof StorageFullException
                        ? e : new RegistryException(OciErrorCode.UNKNOWN, "storing manifest failed: " + e.getMessage(),
                                upstream.digest().value(), 500, e))));
    }

    private static String tagOf(Reference reference) {
        return reference instanceof Tag tag ? tag.value() : null;
    }
}
