package io.cargohold.lifecycle.worker;

import io.cargohold.config.CacheRule;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.lifecycle.Evaluation;
import io.cargohold.lifecycle.EvictionCandidates;
import io.cargohold.lifecycle.LifecycleEvaluator;
import io.cargohold.lifecycle.LifecyclePolicy;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.lifecycle.QuotaPlanner;
import io.cargohold.lifecycle.QuotaTally;
import io.cargohold.lifecycle.StoredImage;
import io.cargohold.pin.PinReader;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.WorkRequests;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Prunes the cache: applies every repository's lifecycle policy, then the rules' quotas (of the
 * rules in force at the run: {@code rules} follows rules changed through the control API) and the
 * global quota, then collects the blobs no manifest references any more. Only the elected leader
 * runs it ({@link LifecycleLeader}): every {@code lifecycle.interval} and when a run is requested.
 * One run at a time; a run asked for while one is under way joins it. Pinned images are neither expired nor
 * evicted (read from {@link PinReader} once per run), though they count towards their quotas.
 *
 * <p>A run holds a page of repositories' images at a time, whatever the size of the cache: expiry
 * goes a page at a time and weighs each quota as it goes ({@link QuotaTally}); a quota over budget
 * is brought within it by further passes that each keep a bounded set of candidates
 * ({@link EvictionCandidates}) and choose as {@link QuotaPlanner} does over all images at once.
 * Parsing and policy evaluation run on worker threads, and each page is a chain of storage reads,
 * so the event loop serves requests throughout.
 */
public final class LifecycleWorker {

    public static final String GLOBAL_QUOTA = "global";
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleWorker.class);
    /** Repositories read from storage at a time (blob listings read ten times as many). */
    static final int PAGE = 500;

    private final MetadataStore metadata;
    private final PinReader pins;
    private final LifecycleConfig config;
    private final Supplier<List<CacheRule>> rules;
    private final Clock clock;
    private final int pageSize;
    private final LifecycleMetrics metrics;
    private final ImageRemover remover;
    private final BlobCollector collector;
    private Future<LifecycleRunReport> running;

    public LifecycleWorker(MetadataStore metadata, BlobStore blobs, EventPublisher events, MeterRegistry meters,
                           LifecycleConfig config, Supplier<List<CacheRule>> rules, String node, Clock clock) {
        this(metadata, PinReader.NONE, blobs, events, meters, config, rules, node, clock, PAGE);
    }

    /** A worker that keeps what {@code pins} pins. */
    public LifecycleWorker(MetadataStore metadata, PinReader pins, BlobStore blobs, EventPublisher events,
                           MeterRegistry meters, LifecycleConfig config, Supplier<List<CacheRule>> rules, String node,
                           Clock clock) {
        this(metadata, pins, blobs, events, meters, config, rules, node, clock, PAGE);
    }

    /** Reads {@code pageSize} repositories, and ten times as many blobs, at a time. */
    LifecycleWorker(MetadataStore metadata, BlobStore blobs, EventPublisher events, MeterRegistry meters,
                    LifecycleConfig config, Supplier<List<CacheRule>> rules, String node, Clock clock, int pageSize) {
        this(metadata, PinReader.NONE, blobs, events, meters, config, rules, node, clock, pageSize);
    }

    private LifecycleWorker(MetadataStore metadata, PinReader pins, BlobStore blobs, EventPublisher events,
                            MeterRegistry meters, LifecycleConfig config, Supplier<List<CacheRule>> rules, String node,
                            Clock clock, int pageSize) {
        this.metadata = metadata;
        this.pins = pins;
        this.config = config;
        this.rules = rules;
        this.clock = clock;
        this.pageSize = pageSize;
        this.metrics = new LifecycleMetrics(meters);
        this.remover = new ImageRemover(metadata, events, metrics, node, clock, config.pullGrace());
        this.collector = new BlobCollector(blobs, metadata, metrics, clock, config.blobGrace(), pageSize,
                10 * pageSize);
    }

    /**
     * Runs every {@code lifecycle.interval}, and whenever a run is requested through {@code requests}, on
     * whichever member leads at that moment, always on one context of {@code vertx}; answers the timer's id.
     */
    public long schedule(Vertx vertx, LifecycleLeader leader, WorkRequests requests) {
        Context context = vertx.getOrCreateContext();
        Runnable runIfLeader = () -> context.runOnContext(v -> vertx.executeBlocking(leader::isLeader, false)
                .compose(leads -> leads ? run().mapEmpty() : Future.succeededFuture())
                .onFailure(e -> LOG.warn("lifecycle run failed: {}", e.toString())));
        requests.onLifecycleRunRequested(runIfLeader);
        return vertx.setPeriodic(config.interval().toMillis(), id -> runIfLeader.run());
    }

    /** One run now, or the run under way; call on one Vert.x context, the run's. */
    public Future<LifecycleRunReport> run() {
        if (running != null) {
            return running;
        }
        Promise<LifecycleRunReport> done = Promise.promise();
        running = done.future();
        long started = System.nanoTime();
        runOnce(Vertx.currentContext()).onComplete(result -> {
            running = null;
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.ran(took);
            if (result.succeeded()) {
                LifecycleRunReport report = result.result();
                LOG.info("lifecycle run took {} ms: {} images expired, {} evicted; {} blobs collected, {} bytes",
                        took.toMillis(), report.expired(), report.evicted(), report.blobsDeleted(),
                        report.bytesDeleted());
            }
            done.handle(result);
        });
        return done.future();
    }

    private Future<LifecycleRunReport> runOnce(Context context) {
        return pins.pinned().compose(pinned -> runOnce(context, image -> remover.inUse(image)
                || pinned.keeps(image.repository(), image.digest())
                || image.manifests().stream().anyMatch(manifest -> pinned.keeps(image.repository(), manifest))));
    }

    /** {@code kept}: images neither expired nor evicted (being pulled now, or pinned). */
    private Future<LifecycleRunReport> runOnce(Context context, Predicate<StoredImage> kept) {
        List<Quota> quotas = quotas();
        Removed removed = new Removed();
        // Without quotas, only repositories with a policy have images to look at.
        Predicate<Optional<Repository>> wanted = repository -> !quotas.isEmpty()
                || repository.filter(found -> found.settings().lifecyclePolicy() != null).isPresent();
        return metadata.forEachRepository(pageSize, repositories -> RepositoryImages.loadRecords(metadata, context,
                        repositories, wanted)
                .compose(page -> context.executeBlocking(() -> page.stream()
                                .map(repository -> expiries(repository, kept)).toList(), false)
                        .compose(expiries -> {
                            Future<Void> chain = Future.succeededFuture();
                            for (int i = 0; i < page.size(); i++) {
                                RepositoryImages repository = page.get(i);
                                List<Removal> expired = expiries.get(i);
                                chain = chain.compose(v -> removeAll(repository.name(), expired,
                                        repository.images(), removed)).<Void>map(gone -> {
                                            tally(quotas, repository, gone);
                                            return null;
                                        });
                            }
                            return chain;
                        })))
                .compose(v -> enforce(context, quotas, kept, removed))
                .compose(v -> collector.collect(context))
                .map(collected -> new LifecycleRunReport(removed.expired, removed.evicted, collected.blobs(),
                        collected.bytes()));
    }

    /** What a lifecycle policy expires of a repository's images: none without a policy. */
    private List<Removal> expiries(RepositoryImages repository, Predicate<StoredImage> kept) {
        String text = repository.repository().map(found -> found.settings().lifecyclePolicy()).orElse(null);
        if (text == null) {
            return List.of();
        }
        LifecyclePolicy policy;
        try {
            policy = LifecyclePolicy.parse(text);
        } catch (LifecyclePolicyException e) {
            LOG.warn("lifecycle policy of {} not applied: {}", repository.name(), e.getMessage());
            return List.of();
        }
        List<StoredImage> images = repository.images();
        Evaluation evaluation = LifecycleEvaluator.evaluate(policy,
                images.stream().map(StoredImage::image).toList(), clock.instant());
        return images.stream()
                .filter(kept.negate())
                .flatMap(image -> evaluation.expiry(image.digest()).stream()
                        .map(expiry -> new Removal(image, expiry.reason(), null)))
                .toList();
    }

    /** Each rule's quota over its repositories, then the global quota over all: none without budgets. */
    private List<Quota> quotas() {
        List<Quota> quotas = new ArrayList<>();
        for (CacheRule rule : rules.get()) {
            OptionalLong budget = rule.quotaBytes();
            if (budget.isPresent()) {
                quotas.add(new Quota(rule.prefix(), budget.getAsLong(),
                        repository -> repository.filter(found -> rule.prefix().equals(found.rulePrefix())).isPresent(),
                        new QuotaTally()));
            }
        }
        OptionalLong global = config.quotaBytes();
        if (global.isPresent()) {
            quotas.add(new Quota(GLOBAL_QUOTA, global.getAsLong(), repository -> true, new QuotaTally()));
        }
        return quotas;
    }

    /** Counts the images of {@code repository} that stay in every quota it is under. */
    private static void tally(List<Quota> quotas, RepositoryImages repository, List<Removal> gone) {
        Set<String> goneDigests = gone.stream().map(removal -> removal.image().digest()).collect(Collectors.toSet());
        for (Quota quota : quotas) {
            if (quota.covers().test(repository.repository())) {
                repository.images().stream().filter(image -> !goneDigests.contains(image.digest()))
                        .forEach(quota.tally()::add);
            }
        }
    }

    /** Brings each quota within its budget in turn, as {@link QuotaPlanner} chooses. */
    private Future<Void> enforce(Context context, List<Quota> quotas, Predicate<StoredImage> kept, Removed removed) {
        Future<Void> chain = Future.succeededFuture();
        for (Quota quota : quotas) {
            chain = chain.compose(v -> evictionPass(context, quotas, quota, quota.tally().totalBytes(), null,
                    kept, removed));
        }
        return chain;
    }

    /**
     * One pass over the quota's repositories for the next candidates after {@code after}, then the
     * evictions among them; another pass while the quota is still over budget.
     */
    private Future<Void> evictionPass(Context context, List<Quota> quotas, Quota quota, long used, StoredImage after,
                                      Predicate<StoredImage> kept, Removed removed) {
        if (quota.tally().totalBytes() <= quota.budget()) {
            return Future.succeededFuture();
        }
        EvictionCandidates candidates = new EvictionCandidates(after, quota.tally().totalBytes() - quota.budget(),
                QuotaPlanner.MAX_CANDIDATES);
        return metadata.forEachRepository(pageSize, repositories -> RepositoryImages.loadRecords(metadata, context,
                        repositories, quota.covers())
                .<Void>map(page -> {
                    page.forEach(repository -> repository.images().stream().filter(kept.negate())
                            .forEach(candidates::offer));
                    return null;
                }))
                .compose(v -> {
                    List<StoredImage> pass = candidates.inEvictionOrder();
                    if (pass.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    List<StoredImage> chosen = QuotaPlanner.choose(pass, quota.tally(), quota.budget());
                    return evict(context, quotas, quota, used, chosen, removed)
                            .compose(done -> evictionPass(context, quotas, quota, used, pass.get(pass.size() - 1),
                                    kept, removed));
                });
    }

    /** Evicts {@code chosen}, a repository at a time; the other quotas stop counting those evicted. */
    private Future<Void> evict(Context context, List<Quota> quotas, Quota quota, long used, List<StoredImage> chosen,
                               Removed removed) {
        Map<String, List<Removal>> byRepository = new LinkedHashMap<>();
        for (StoredImage image : chosen) {
            byRepository.computeIfAbsent(image.repository(), name -> new ArrayList<>()).add(new Removal(image,
                    "quota " + quota.name() + ": " + used + " bytes stored over a budget of " + quota.budget()
                            + ", least recently pulled first: last pulled or cached "
                            + image.image().lastPulledOrCachedAt(), quota.name()));
        }
        Future<Void> chain = Future.succeededFuture();
        for (Map.Entry<String, List<Removal>> entry : byRepository.entrySet()) {
            chain = chain.compose(v -> RepositoryImages.load(metadata, context, List.of(entry.getKey()),
                            repository -> true))
                    .compose(loaded -> {
                        RepositoryImages current = loaded.get(0);
                        return removeAll(current.name(), entry.getValue(), current.images(), removed).<Void>map(gone -> {
                            for (Quota other : quotas) {
                                if (other != quota && other.covers().test(current.repository())) {
                                    gone.forEach(removal -> other.tally().remove(removal.image()));
                                }
                            }
                            return null;
                        });
                    });
        }
        return chain;
    }

    /** Removes what it can of {@code removals} from a repository whose images are {@code images}; answers those removed. */
    private Future<List<Removal>> removeAll(String repository, List<Removal> removals, List<StoredImage> images,
                                            Removed removed) {
        if (removals.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return remover.remove(removals, images).map(done -> {
            for (Removal removal : done) {
                if (removal.quota() == null) {
                    removed.expired++;
                } else {
                    removed.evicted++;
                }
            }
            if (!done.isEmpty()) {
                LOG.info("lifecycle deleted {} images of {}", done.size(), repository);
            }
            return done;
        });
    }

    /** A storage quota: its name (a rule's prefix, or {@code global}), its budget, and what it weighs. */
    private record Quota(String name, long budget, Predicate<Optional<Repository>> covers, QuotaTally tally) {
    }

    /** The images a run removed so far. */
    private static final class Removed {
        private int expired;
        private int evicted;
    }
}
