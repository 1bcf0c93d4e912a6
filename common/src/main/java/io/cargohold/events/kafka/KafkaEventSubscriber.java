package io.cargohold.events.kafka;

import io.cargohold.events.kafka.RegistryEventCodec.MalformedEventException;
import io.cargohold.spi.RegistryEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A consumer-group loop over registry event topics, for workers that react to events (the
 * refresher). Several subscribers with the same group id share the topics' partitions, so work
 * scales with the partition count.
 *
 * <p>Delivery is at-least-once. One thread polls a batch, starts the handler for every event of the
 * batch (in offset order, without waiting in between) and commits the batch's offsets only after
 * every handler future has completed. A handler whose future fails, times out or throws is called
 * again for that event, up to {@link Options#maxAttempts()} calls in all; after that the event is
 * logged and skipped (its offset is committed with the batch) so one poisonous event cannot stall
 * the group. Handlers must therefore be idempotent. Records that are not a known version of the
 * event JSON are logged and skipped; they never stop the loop. If the subscriber is closed while a
 * batch is being handled, that batch is not committed and is delivered again to the group.
 *
 * <p>Metrics, in {@link Options#meters()}, tagged with {@code group}: {@code cargohold.events.consumed}
 * with tag {@code outcome} = {@code handled}, {@code malformed} or {@code failed}, and
 * {@code cargohold.events.retried} (handler calls repeated after a failure).
 */
public final class KafkaEventSubscriber implements AutoCloseable {

    public static final String CONSUMED_METER = "cargohold.events.consumed";
    public static final String RETRIED_METER = "cargohold.events.retried";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSubscriber.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT_SLICE = Duration.ofMillis(50);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(15);
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    /**
     * @param maxAttempts       calls of the handler per event before it is skipped (at least 1)
     * @param handlerTimeout    how long one call may take before it counts as failed
     * @param retryBackoff      pause before calling the handler again for failed events
     * @param maxPollRecords    events per batch
     * @param consumerOverrides consumer settings that replace the defaults (not the deserializers)
     * @param meters            where the counters go
     */
    public record Options(int maxAttempts, Duration handlerTimeout, Duration retryBackoff, int maxPollRecords,
                          Map<String, Object> consumerOverrides, MeterRegistry meters) {

        public Options {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
            if (maxPollRecords < 1) {
                throw new IllegalArgumentException("maxPollRecords must be at least 1: " + maxPollRecords);
            }
            Objects.requireNonNull(handlerTimeout, "handlerTimeout");
            Objects.requireNonNull(retryBackoff, "retryBackoff");
            consumerOverrides = Map.copyOf(consumerOverrides);
            Objects.requireNonNull(meters, "meters");
        }

        /** 3 attempts, 60 s per call, 500 ms back-off, batches of 100, no overrides, private meters. */
        public static Options defaults() {
            return new Options(3, Duration.ofSeconds(60), Duration.ofMillis(500), 100, Map.of(),
                    new SimpleMeterRegistry());
        }

        public Options withMaxAttempts(int attempts) {
            return new Options(attempts, handlerTimeout, retryBackoff, maxPollRecords, consumerOverrides, meters);
        }

        public Options withHandlerTimeout(Duration timeout) {
            return new Options(maxAttempts, timeout, retryBackoff, maxPollRecords, consumerOverrides, meters);
        }

        public Options withRetryBackoff(Duration backoff) {
            return new Options(maxAttempts, handlerTimeout, backoff, maxPollRecords, consumerOverrides, meters);
        }

        public Options withMaxPollRecords(int records) {
            return new Options(maxAttempts, handlerTimeout, retryBackoff, records, consumerOverrides, meters);
        }

        public Options withConsumerOverrides(Map<String, Object> overrides) {
            return new Options(maxAttempts, handlerTimeout, retryBackoff, maxPollRecords, overrides, meters);
        }

        public Options withMeters(MeterRegistry registry) {
            return new Options(maxAttempts, handlerTimeout, retryBackoff, maxPollRecords, consumerOverrides, registry);
        }
    }

    private final String groupId;
    private final List<String> topics;
    private final Function<RegistryEvent, Future<Void>> handler;
    private final Options options;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private final Set<TopicPartition> assignment = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private final RateLimitedLog warnings = new RateLimitedLog(LOG, Duration.ofSeconds(5));
    private final Counter handled;
    private final Counter malformed;
    private final Counter failed;
    private final Counter retried;

    public KafkaEventSubscriber(String bootstrapServers, String groupId, List<String> topics,
                                Function<RegistryEvent, Future<Void>> handler) {
        this(bootstrapServers, groupId, topics, handler, Options.defaults());
    }

    /** Creates the consumer; nothing is polled before {@link #start()}. */
    public KafkaEventSubscriber(String bootstrapServers, String groupId, List<String> topics,
                                Function<RegistryEvent, Future<Void>> handler, Options options) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("no topics to subscribe to");
        }
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        this.topics = List.copyOf(topics);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = options;
        MeterRegistry meters = options.meters();
        this.handled = consumedCounter(meters, groupId, "handled");
        this.malformed = consumedCounter(meters, groupId, "malformed");
        this.failed = consumedCounter(meters, groupId, "failed");
        this.retried = Counter.builder(RETRIED_METER).description("Handler calls repeated after a failure")
                .tag("group", groupId).register(meters);
        this.consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, groupId, options),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "cargohold-events-" + groupId);
        thread.setDaemon(true);
    }

    static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, Options options) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + CLIENT_IDS.incrementAndGet());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, options.maxPollRecords());
        config.putAll(options.consumerOverrides());
        return config;
    }

    /** Starts the polling thread; returns this. */
    public KafkaEventSubscriber start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            throw new IllegalStateException("subscriber already started or closed");
        }
        thread.start();
        return this;
    }

    /** The partitions this subscriber holds now (changes as subscribers join and leave the group). */
    public Set<TopicPartition> assignment() {
        return Set.copyOf(assignment);
    }

    /**
     * Stops polling, commits what was completely handled, leaves the group and waits for the thread
     * to end. A batch whose handlers have not all completed is not committed.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (!started.get()) {
            consumer.close(CLOSE_TIMEOUT);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("event subscriber for group {} did not stop within {}", groupId, CLOSE_TIMEOUT.multipliedBy(2));
        }
    }

    private void run() {
        try {
            consumer.subscribe(topics, new Rebalance());
            while (running) {
                try {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                    if (records.isEmpty()) {
                        continue;
                    }
                    if (!handle(records)) {
                        break;
                    }
                    for (TopicPartition partition : records.partitions()) {
                        List<ConsumerRecord<String, byte[]>> inPartition = records.records(partition);
                        long next = inPartition.get(inPartition.size() - 1).offset() + 1;
                        uncommitted.put(partition, new OffsetAndMetadata(next));
                    }
                    commit();
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } catch (KafkaException e) {
                    // Commit failures (a rebalance took the partition, the coordinator is away) keep the
                    // offsets in `uncommitted` for the next commit; the events may be delivered again.
                    warnings.warn("event subscriber for group {}: {}", groupId, e.toString());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("event subscriber for group {} stopped", groupId, e);
        } finally {
            try {
                commitQuietly();
            } finally {
                consumer.close(CLOSE_TIMEOUT);
                assignment.clear();
            }
        }
    }

    /** Handles one batch; false if the subscriber was closed before every handler completed. */
    private boolean handle(ConsumerRecords<String, byte[]> records) {
        List<Delivery> pending = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                pending.add(new Delivery(record, RegistryEventCodec.decode(record.value())));
            } catch (MalformedEventException e) {
                malformed.increment();
                warnings.warn("skipping malformed event at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                retried.increment(pending.size());
                if (!pause(options.retryBackoff())) {
                    return false;
                }
            }
            for (Delivery delivery : pending) {
                delivery.result = call(delivery.event);
            }
            if (!awaitAll(pending)) {
                return false;
            }
            List<Delivery> failures = new ArrayList<>();
            for (Delivery delivery : pending) {
                Throwable error = delivery.error();
                if (error == null) {
                    handled.increment();
                } else if (attempt < options.maxAttempts()) {
                    failures.add(delivery);
                } else {
                    failed.increment();
                    LOG.warn("skipping {} event for {} at {}-{}@{} after {} failed attempts: {}",
                            delivery.event.type(), delivery.event.repository(), delivery.record.topic(),
                            delivery.record.partition(), delivery.record.offset(), attempt, error.toString());
                }
            }
            pending = failures;
        }
        return true;
    }

    private CompletableFuture<Void> call(RegistryEvent event) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            Future<Void> future = handler.apply(event);
            if (future == null) {
                result.completeExceptionally(new IllegalStateException("handler returned no future"));
            } else {
                future.onComplete(ignored -> result.complete(null), result::completeExceptionally);
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result.orTimeout(options.handlerTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean awaitAll(List<Delivery> deliveries) {
        CompletableFuture<Void> all = CompletableFuture.allOf(
                deliveries.stream().map(d -> d.result).toArray(CompletableFuture[]::new));
        while (true) {
            try {
                all.get(WAIT_SLICE.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (ExecutionException e) {
                return true;
            } catch (TimeoutException e) {
                if (!running) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Waits for the back-off, in slices so that close() is not held up; false if closed meanwhile. */
    private boolean pause(Duration backoff) {
        long deadline = System.nanoTime() + backoff.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(left, WAIT_SLICE.toNanos()));
        }
        return false;
    }

    private void commit() {
        // Never commit for a partition another member owns now: it may have moved past these offsets.
        uncommitted.keySet().retainAll(assignment);
        if (!uncommitted.isEmpty()) {
            consumer.commitSync(Map.copyOf(uncommitted), COMMIT_TIMEOUT);
            uncommitted.clear();
        }
    }

    private void commitQuietly() {
        try {
            commit();
        } catch (RuntimeException e) {
            LOG.warn("event subscriber for group {}: could not commit {} on close: {}", groupId, uncommitted,
                    e.toString());
        }
    }

    private static Counter consumedCounter(MeterRegistry meters, String groupId, String outcome) {
        return Counter.builder(CONSUMED_METER).description("Registry events taken from Kafka, by outcome")
                .tag("group", groupId).tag("outcome", outcome).register(meters);
    }

    /** Keeps {@link #assignment()} current and commits handled offsets before partitions move. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitQuietly();
            partitions.forEach(uncommitted::remove);
            assignment.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignment.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(uncommitted::remove);
            assignment.removeAll(partitions);
        }
    }

    private static final class Delivery {
        final ConsumerRecord<String, byte[]> record;
        final RegistryEvent event;
        CompletableFuture<Void> result;

        Delivery(ConsumerRecord<String, byte[]> record, RegistryEvent event) {
            this.record = record;
            this.event = event;
        }

        Throwable error() {
            if (!result.isCompletedExceptionally()) {
                return null;
            }
            try {
                result.join();
                return null;
            } catch (RuntimeException e) {
                return e.getCause() != null ? e.getCause() : e;
            }
        }
    }
}
