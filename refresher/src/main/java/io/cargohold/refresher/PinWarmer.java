package io.cargohold.refresher;

import io.cargohold.cache.ProxyBlobStore;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.PullThrough;
import io.cargohold.config.CacheRule;
import io.cargohold.lifecycle.worker.LifecycleLeader;
import io.cargohold.meta.hazelcast.HazelcastPins;
import io.cargohold.oci.ByteRange;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.RepositoryName;
import io.cargohold.pin.Pin;
import io.cargohold.pin.PinnedImage;
import io.cargohold.spi.BlobContent;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.WorkRequests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Warms pinned images: fetches each pin's manifest through the cache (which caches it, and re-checks a tag),
 * for an index the manifests of its rule's platforms, then every blob they reference, read to the end through
 * the cache so the pin's {@code bytesDone} follows the download. A pin is warmed when it is new, when its last
 * warm-up is older than its rule's refresh interval, and when a failed one's retry is due (after
 * {@value #FIRST_RETRY_SECONDS} s, doubling up to an hour). The images of the rules' {@code warm} lists are
 * pins too (source {@code config}), created when missing and removed when no rule lists them any more.
 *
 * <p>Runs on the member that leads the lifecycle workers, a pin at a time, on every request and every
 * {@code interval}; a request during a pass gets one more pass after it.
 */
public final class PinWarmer {

    public static final Duration INTERVAL = Duration.ofSeconds(30);
    static final int FIRST_RETRY_SECONDS = 30;
    static final Duration LAST_RETRY = Duration.ofHours(1);
    /** How often progress is saved while bytes flow. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(PinWarmer.class);

    private final HazelcastPins pins;
    private final PullThrough cache;
    private final Clock clock;
    private Future<Void> running;
    private Promise<Void> next;

    public PinWarmer(HazelcastPins pins, PullThrough cache, Clock clock) {
        this.pins = pins;
        this.cache = cache;
        this.clock = clock;
    }

    /**
     * Warms what is due every {@code interval} (the first time at once), and whenever asked through
     * {@code requests}, while this member leads, always on one context of {@code vertx}; answers the timer's id.
     */
    public long schedule(Vertx vertx, LifecycleLeader leader, WorkRequests requests, Duration interval) {
        Context context = vertx.getOrCreateContext();
        Runnable warmIfLeader = () -> context.runOnContext(v -> vertx.executeBlocking(leader::isLeader, false)
                .compose(leads -> leads ? warmDue() : Future.succeededFuture())
                .onFailure(e -> LOG.warn("warming pinned images failed: {}", e.toString())));
        requests.onPinWarmUpRequested(warmIfLeader);
        return vertx.setPeriodic(1, interval.toMillis(), id -> warmIfLeader.run());
    }

    /**
     * One pass over the pins now, or, while one runs, the pass after it; call on one Vert.x context. A pin's
     * failure is recorded on the pin, not on the pass.
     */
    public Future<Void> warmDue() {
        if (running != null) {
            if (next == null) {
                next = Promise.promise();
            }
            return next.future();
        }
        Future<Void> pass = pass();
        running = pass;
        pass.onComplete(done -> {
            running = null;
            if (next != null) {
                Promise<Void> waiting = next;
                next = null;
                warmDue().onComplete(waiting);
            }
        });
        return pass;
    }

    private Future<Void> pass() {
        Context context = Vertx.currentContext();
        return pins.all().compose(this::syncConfig).compose(v -> pins.all()).compose(all -> {
            Future<Void> chain = Future.succeededFuture();
            for (Pin pin : all) {
                chain = chain.compose(v -> due(pin) ? warm(pin, context) : Future.succeededFuture());
            }
            return chain;
        });
    }

    /** Creates the pins of the rules' {@code warm} lists that are missing, removes those no rule lists any more. */
    private Future<Void> syncConfig(List<Pin> existing) {
        Map<String, PinnedImage> listed = new LinkedHashMap<>();
        for (CacheRule rule : cache.rules().rules()) {
            for (String image : rule.gate().warm()) {
                try {
                    PinnedImage parsed = PinnedImage.parse(rule.prefix() + "/" + image);
                    PinnedImage canonical = parsed.named(RepositoryName.parse(cache.rules().resolve(parsed.name()).name()));
                    listed.put(canonical.id(), canonical);
                } catch (RuntimeException e) {
                    LOG.warn("rule {} warm image {} is not pinned: {}", rule.prefix(), image, e.getMessage());
                }
            }
        }
        Set<String> ids = existing.stream().map(Pin::id).collect(Collectors.toSet());
        List<Future<?>> changes = new ArrayList<>();
        listed.forEach((id, image) -> {
            if (!ids.contains(id)) {
                changes.add(pins.create(Pin.of(image, Pin.CONFIG, clock.instant(), Pin.CONFIG)));
            }
        });
        existing.stream().filter(pin -> Pin.CONFIG.equals(pin.source()) && !listed.containsKey(pin.id()))
                .forEach(pin -> changes.add(pins.remove(pin.id())));
        return Future.all(changes).mapEmpty();
    }

    private boolean due(Pin pin) {
        Instant now = clock.instant();
        return switch (pin.state()) {
            case PENDING, WARMING -> true;
            case FAILED -> pin.nextAttemptAt() == null || !now.isBefore(pin.nextAttemptAt());
            case READY -> {
                Duration refresh;
                try {
                    refresh = cache.rules().resolve(pin.pinnedImage().name()).rule().refreshInterval();
                } catch (RuntimeException noRule) {
                    yield true;
                }
                yield pin.lastWarmedAt() == null || !now.isBefore(pin.lastWarmedAt().plus(refresh));
            }
        };
    }

    /** Warms one pin, unless it was unpinned meanwhile; its outcome is saved on it. */
    private Future<Void> warm(Pin pin, Context context) {
        Progress progress = new Progress(pin.warming());
        return progress.save().compose(pinned -> pinned ? warm(pin, progress, context) : Future.succeededFuture());
    }

    private Future<Void> warm(Pin pin, Progress progress, Context context) {
        return Future.<Void>succeededFuture()
                .compose(v -> cacheImage(pin.pinnedImage(), progress, context))
                .compose(v -> {
                    progress.pin = progress.pin.ready(clock.instant());
                    LOG.info("pinned image {} is warm: {} bytes", pin.image(), progress.pin.bytesTotal());
                    return progress.save().<Void>mapEmpty();
                })
                .recover(failure -> {
                    String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
                    LOG.warn("warming pinned image {} failed: {}", pin.image(), why);
                    progress.pin = progress.pin.failed(why, clock.instant(), backOff(pin.attempts()));
                    return progress.save().<Void>mapEmpty();
                });
    }

    /** Caches the image's manifests, then reads every blob through the cache; stops once it is unpinned. */
    private Future<Void> cacheImage(PinnedImage image, Progress progress, Context context) {
        ProxyTarget target = cache.rules().resolve(image.name());
        return cache.manifests().get(target, image.reference())
                .compose(served -> resolve(target, served.manifest()))
                .compose(resolved -> {
                    progress.pin = progress.pin.resolved(resolved.digest(), resolved.platforms(),
                            resolved.blobs().stream().mapToLong(Descriptor::size).sum());
                    return progress.save().compose(pinned -> pinned
                            ? fetchAll(target, resolved.blobs(), progress, context) : Future.succeededFuture());
                });
    }

    /** The wait before the next attempt after {@code attempts} failed ones: 30 s doubling, at most an hour. */
    static Duration backOff(int attempts) {
        Duration wait = Duration.ofSeconds((long) FIRST_RETRY_SECONDS << Math.min(attempts, 8));
        return wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait;
    }

    /** The manifest's digest, and for an index those of its rule's platform manifests, cached; every blob, once. */
    private Future<Resolved> resolve(ProxyTarget target, ManifestRecord record) {
        Manifest manifest = Manifest.parse(record.content(), record.mediaType());
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        if (!manifest.isIndex()) {
            manifest.blobs().forEach(blob -> blobs.putIfAbsent(blob.digest(), blob));
            return Future.succeededFuture(new Resolved(record.digest(), List.of(), List.copyOf(blobs.values())));
        }
        List<String> platforms = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (Descriptor child : manifest.manifests()) {
            if (target.rule().prefetches(child.platform())) {
                chain = chain.compose(v -> cache.manifests().get(target, child.digest())).map(served -> {
                    platforms.add(served.manifest().digest());
                    Manifest.parse(served.manifest().content(), served.manifest().mediaType()).blobs()
                            .forEach(blob -> blobs.putIfAbsent(blob.digest(), blob));
                    return null;
                });
            }
        }
        return chain.map(v -> new Resolved(record.digest(), platforms, List.copyOf(blobs.values())));
    }

    private Future<Void> fetchAll(ProxyTarget target, List<Descriptor> blobs, Progress progress, Context context) {
        Future<Void> chain = Future.succeededFuture();
        for (Descriptor blob : blobs) {
            chain = chain.compose(v -> fetch(target, blob.digest(), progress, context));
        }
        return chain;
    }

    /**
     * Reads the blob to its end through the cache, fetching it on a miss, counting its bytes as they come; then
     * waits until it is stored (a fill's last bytes reach its readers before it is committed).
     */
    private Future<Void> fetch(ProxyTarget target, Digest digest, Progress progress, Context context) {
        ProxyBlobStore blobs = cache.blobs();
        return blobs.stat(target, digest)
                .compose(size -> size == 0 ? Future.succeededFuture()
                        : blobs.open(target, digest, ByteRange.all(size), size, context).compose(content ->
                                content instanceof BlobContent.Stream stream ? drain(stream.stream(), progress)
                                        : progress.add(content.length())))
                .compose(v -> blobs.idle(digest))
                .compose(v -> blobs.prefetch(target, digest));
    }

    private static Future<Void> drain(ReadStream<Buffer> stream, Progress progress) {
        Promise<Void> done = Promise.promise();
        stream.exceptionHandler(done::tryFail);
        stream.endHandler(v -> done.tryComplete());
        stream.handler(buffer -> progress.add(buffer.length()));
        stream.resume();
        return done.future();
    }

    /** What a pin's reference resolved to: its digest, its platform manifests' digests, and its blobs. */
    private record Resolved(String digest, List<String> platforms, List<Descriptor> blobs) {
    }

    /** A warm-up's pin as it goes, saved at most every {@link #PROGRESS_EVERY} while bytes flow. */
    private final class Progress {
        private Pin pin;
        private Instant savedAt = Instant.MIN;
        private boolean saving;

        private Progress(Pin pin) {
            this.pin = pin;
        }

        Future<Void> add(long bytes) {
            pin = pin.progressed(pin.bytesDone() + bytes);
            Instant now = clock.instant();
            if (!saving && !now.isBefore(savedAt.plus(PROGRESS_EVERY))) {
                saving = true;
                savedAt = now;
                pins.update(pin).onComplete(done -> saving = false);
            }
            return Future.succeededFuture();
        }

        /** Whether it was saved: false once unpinned. */
        Future<Boolean> save() {
            savedAt = clock.instant();
            return pins.update(pin);
        }
    }
}
