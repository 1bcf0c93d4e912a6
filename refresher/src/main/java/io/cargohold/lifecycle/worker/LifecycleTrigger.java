package io.cargohold.lifecycle.worker;

import io.cargohold.config.CacheRule;
import io.cargohold.config.LifecycleConfig;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.RegistryEvent;
import io.cargohold.spi.WorkRequests;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the lifecycle on events, besides the schedule: a newly cached image may put a quota over
 * budget or its repository over a policy's image count, so it asks the leader for a run when a
 * quota is set or the repository has a lifecycle policy. At most one request per
 * {@link #MIN_SPACING} from each member, since every run also lists the stored blobs.
 */
public final class LifecycleTrigger {

    static final Duration MIN_SPACING = Duration.ofMinutes(5);

    private final Runnable requestRun;
    private final MetadataStore metadata;
    private final LifecycleConfig config;
    private final Supplier<List<CacheRule>> rules;
    private final Clock clock;
    private long lastRequestMillis;
    private boolean requested;

    /** {@code requestRun} asks the leader for a run (see {@link WorkRequests#requestLifecycleRun}). */
    public LifecycleTrigger(Runnable requestRun, MetadataStore metadata, LifecycleConfig config,
                            Supplier<List<CacheRule>> rules, Clock clock) {
        this.requestRun = requestRun;
        this.metadata = metadata;
        this.config = config;
        this.rules = rules;
        this.clock = clock;
    }

    /** Asks the leader through {@code requests}. */
    public static LifecycleTrigger of(WorkRequests requests, MetadataStore metadata, LifecycleConfig config,
                                      Supplier<List<CacheRule>> rules, Clock clock) {
        return new LifecycleTrigger(requests::requestLifecycleRun, metadata, config, rules, clock);
    }

    public Future<Void> handle(RegistryEvent event) {
        if (!RegistryEvent.IMAGE_CACHED.equals(event.type())) {
            return Future.succeededFuture();
        }
        return matters(event.repository()).map(matters -> {
            if (matters) {
                request();
            }
            return null;
        });
    }

    private Future<Boolean> matters(String repository) {
        if (config.quotaBytes().isPresent() || rules.get().stream().anyMatch(rule -> rule.quotaBytes().isPresent())) {
            return Future.succeededFuture(true);
        }
        return metadata.repository(repository)
                .map(found -> found.filter(stored -> stored.settings().lifecyclePolicy() != null).isPresent());
    }

    private synchronized void request() {
        long now = clock.millis();
        if (requested && now - lastRequestMillis < MIN_SPACING.toMillis()) {
            return;
        }
        requested = true;
        lastRequestMillis = now;
        requestRun.run();
    }
}
