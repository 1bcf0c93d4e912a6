package io.cargohold.lifecycle.worker;

import io.cargohold.config.CacheRule;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.lifecycle.Evaluation;
import io.cargohold.lifecycle.ImageCatalog;
import io.cargohold.lifecycle.LifecycleEvaluator;
import io.cargohold.lifecycle.LifecyclePolicy;
import io.cargohold.lifecycle.LifecyclePolicyException;
import io.cargohold.lifecycle.QuotaPlanner;
import io.cargohold.lifecycle.StoredImage;
import io.cargohold.spi.BlobStore;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.StoredBlob;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Prunes the cache: applies every repository's lifecycle policy, then the rules' quotas (of the
 * rules in force at the run: {@code rules} follows rules changed through the control API) and the
 * global quota, then collects the blobs no manifest references any more. Only the elected leader
 * runs it ({@link LifecycleLeader}): every {@code lifecycle.interval} and when a run is requested.
 * One run at a time; a run asked for while one is under way joins it.
 */
public final class LifecycleWorker {

    public static final String GLOBAL_QUOTA = "global";
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleWorker.class);
    /** Repositories read from storage at a time. */
    private static final int REPOSITORY_PAGE = 500;

    private final MetadataStore metadata;
    private final LifecycleConfig config;
    private final Supplier<List<CacheRule>> rules;
    private final Clock clock;
    private final ImageRemover remover;
    private final BlobCollector collector;
    private Future<LifecycleRunReport> running;

    public LifecycleWorker(MetadataStore metadata, BlobStore blobs, EventPublisher events, MeterRegistry meters,
                           LifecycleConfig config, Supplier<List<CacheRule>> rules, String node, Clock clock) {
        LifecycleMetrics metrics = new LifecycleMetrics(meters);
        this.metadata = metadata;
        this.config = config;
        this.rules = rules;
        this.clock = clock;
        this.remover = new ImageRemover(metadata, events, metrics, node, clock, config.pullGrace());
        this.collector = new BlobCollector(blobs, metadata, metrics, clock, config.blobGrace());
    }

    /**
     * Runs every {@code lifecycle.interval}, and whenever a run is requested, on whichever member
     * leads at that moment, always on one context of {@code vertx}; answers the timer's id.
     */
    public long schedule(Vertx vertx, LifecycleLeader leader) {
        Context context = vertx.getOrCreateContext();
        Runnable runIfLeader = () -> context.runOnContext(v -> vertx.executeBlocking(leader::isLeader, false)
                .compose(leads -> leads ? run().mapEmpty() : Future.succeededFuture())
                .onFailure(e -> LOG.warn("lifecycle run failed: {}", e.toString())));
        leader.onRunRequested(runIfLeader);
        return vertx.setPeriodic(config.interval().toMillis(), id -> runIfLeader.run());
    }

    /** One run now, or the run under way; call on one Vert.x context. */
    public Future<LifecycleRunReport> run() {
        if (running != null) {
            return running;
        }
        Promise<LifecycleRunReport> done = Promise.promise();
        running = done.future();
        runOnce().onComplete(result -> {
            running = null;
            done.handle(result);
        });
        return done.future();
    }

    private Future<LifecycleRunReport> runOnce() {
        Map<String, Repository> repositories = new LinkedHashMap<>();
        Map<String, List<StoredImage>> images = new LinkedHashMap<>();
        List<Removal> removed = new ArrayList<>();
        return metadata.forEachRepositoryPage(REPOSITORY_PAGE, names -> {
            Future<Void> chain = Future.succeededFuture();
            for (String name : names) {
                chain = chain.compose(v -> Future.all(metadata.repository(name), ImageCatalog.load(metadata, name)))
                        .compose(both -> {
                            Optional<Repository> repository = both.resultAt(0);
                            repository.ifPresent(found -> repositories.put(name, found));
                            images.put(name, new ArrayList<>(both.<List<StoredImage>>resultAt(1)));
                            return repository.map(found -> expire(found, images.get(name), removed))
                                    .orElse(Future.succeededFuture());
                        });
            }
            return chain;
        }).compose(v -> quotas(repositories, images, removed))
                .compose(v -> collector.collect())
                .map(collected -> report(removed, collected));
    }

    private Future<Void> expire(Repository repository, List<StoredImage> images, List<Removal> removed) {
        String text = repository.settings().lifecyclePolicy();
        if (text == null) {
            return Future.succeededFuture();
        }
        LifecyclePolicy policy;
        try {
            policy = LifecyclePolicy.parse(text);
        } catch (LifecyclePolicyException e) {
            LOG.warn("lifecycle policy of {} not applied: {}", repository.name(), e.getMessage());
            return Future.succeededFuture();
        }
        Evaluation evaluation = LifecycleEvaluator.evaluate(policy,
                images.stream().map(StoredImage::image).toList(), clock.instant());
        List<Removal> removals = images.stream()
                .filter(image -> !remover.inUse(image))
                .flatMap(image -> evaluation.expiry(image.digest()).stream()
                        .map(expiry -> new Removal(image, expiry.reason(), null)))
                .toList();
        return removeAll(repository.name(), removals, images, removed);
    }

    /** Each rule's quota over its repositories, then the global quota over all. */
    private Future<Void> quotas(Map<String, Repository> repositories, Map<String, List<StoredImage>> images,
                                List<Removal> removed) {
        Future<Void> chain = Future.succeededFuture();
        for (CacheRule rule : rules.get()) {
            OptionalLong budget = rule.quotaBytes();
            if (budget.isPresent()) {
                Predicate<String> under = name -> repositories.containsKey(name)
                        && rule.prefix().equals(repositories.get(name).rulePrefix());
                chain = chain.compose(v -> quota(rule.prefix(), budget.getAsLong(), under, images, removed));
            }
        }
        OptionalLong global = config.quotaBytes();
        if (global.isPresent()) {
            chain = chain.compose(v -> quota(GLOBAL_QUOTA, global.getAsLong(), name -> true, images, removed));
        }
        return chain;
    }

    private Future<Void> quota(String quota, long budget, Predicate<String> repositoryFilter,
                              Map<String, List<StoredImage>> images, List<Removal> removed) {
        List<StoredImage> scope = images.entrySet().stream().filter(entry -> repositoryFilter.test(entry.getKey()))
                .flatMap(entry -> entry.getValue().stream()).toList();
        long used = QuotaPlanner.uniqueBytes(scope);
        List<StoredImage> evictions = QuotaPlanner.evictions(scope, budget, image -> !remover.inUse(image));
        Map<String, List<Removal>> byRepository = new LinkedHashMap<>();
        for (StoredImage image : evictions) {
            byRepository.computeIfAbsent(image.repository(), name -> new ArrayList<>()).add(new Removal(image,
                    "quota " + quota + ": " + used + " bytes stored over a budget of " + budget
                            + ", least recently pulled first: last pulled or cached "
                            + image.image().lastPulledOrCachedAt(), quota));
        }
        Future<Void> chain = Future.succeededFuture();
        for (Map.Entry<String, List<Removal>> entry : byRepository.entrySet()) {
            chain = chain.compose(v -> removeAll(entry.getKey(), entry.getValue(), images.get(entry.getKey()), removed));
        }
        return chain;
    }

    private Future<Void> removeAll(String repository, List<Removal> removals, List<StoredImage> images,
                                   List<Removal> removed) {
        if (removals.isEmpty()) {
            return Future.succeededFuture();
        }
        return remover.remove(removals, List.copyOf(images)).map(done -> {
            done.forEach(removal -> images.removeIf(image -> image.digest().equals(removal.image().digest())));
            removed.addAll(done);
            if (!done.isEmpty()) {
                LOG.info("lifecycle deleted {} images of {}", done.size(), repository);
            }
            return null;
        });
    }

    private static LifecycleRunReport report(List<Removal> removed, List<StoredBlob> collected) {
        int evicted = (int) removed.stream().filter(removal -> removal.quota() != null).count();
        return new LifecycleRunReport(removed.size() - evicted, evicted, collected.size(),
                collected.stream().mapToLong(StoredBlob::size).sum());
    }
}
