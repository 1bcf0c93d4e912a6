package io.cargohold.events.kafka;

import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes registry events to Kafka, one topic per audience ({@link KafkaTopics}), keyed by
 * repository, the value being the event's versioned JSON in UTF-8 ({@link RegistryEventCodec}).
 *
 * <p>A pull never waits on Kafka: {@link #publish} only offers the event to a bounded in-memory
 * queue and returns. One sender thread drains the queue into a {@link KafkaProducer} configured to
 * block for at most {@value #MAX_BLOCK_MS} ms and to give up on a record after
 * {@value #DELIVERY_TIMEOUT_MS} ms. When the queue is full or a send fails, the event is dropped
 * and counted in {@code cargohold.events.dropped} (tag {@code reason}); a warning is logged at most
 * once every few seconds. Acknowledged events are counted in {@code cargohold.events.published}
 * (tag {@code type}).
 *
 * <p>{@link #isConnected()} says whether the producer reaches the cluster: it refreshes the
 * cluster's metadata every {@value #METADATA_MAX_AGE_MS} ms, sending or not, and is connected
 * while its last successful refresh is at most three such periods old.
 */
public final class KafkaEventPublisher implements EventPublisher, AutoCloseable {

    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    public static final String DROPPED_METER = "cargohold.events.dropped";
    public static final String PUBLISHED_METER = "cargohold.events.published";
    public static final String REASON_QUEUE_FULL = "queue-full";
    public static final String REASON_SEND_FAILED = "send-failed";
    public static final String REASON_UNKNOWN_TYPE = "unknown-type";
    public static final String REASON_CLOSED = "closed";

    static final int MAX_BLOCK_MS = 1500;
    static final int REQUEST_TIMEOUT_MS = 10_000;
    static final int DELIVERY_TIMEOUT_MS = 30_000;
    static final int LINGER_MS = 5;
    static final int METADATA_MAX_AGE_MS = 10_000;
    private static final int STALE_METADATA_PERIODS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);
    /** The producer's seconds since its last successful metadata refresh. */
    private static final String METADATA_AGE_METRIC = "metadata-age";
    private static final String PRODUCER_METRICS_GROUP = "producer-metrics";
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final long IDLE_POLL_MS = 100;

    private final KafkaTopics topics;
    private final MeterRegistry meters;
    private final BlockingQueue<RegistryEvent> queue;
    private final Producer<String, byte[]> producer;
    private final long connectedMetadataAgeMs;
    private final Thread sender;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long drainDeadlineNanos;
    private final RateLimitedLog dropLog = new RateLimitedLog(LOG, LOG_INTERVAL);
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Map<String, Counter> published = new ConcurrentHashMap<>();

    public KafkaEventPublisher(String bootstrapServers, KafkaTopics topics, MeterRegistry meters) {
        this(bootstrapServers, topics, meters, DEFAULT_QUEUE_CAPACITY, Map.of());
    }

    /**
     * @param producerOverrides producer settings that replace the defaults (for example
     *                          {@code client.id}, security settings); serializers cannot be replaced
     */
    public KafkaEventPublisher(String bootstrapServers, KafkaTopics topics, MeterRegistry meters,
                               int queueCapacity, Map<String, Object> producerOverrides) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        }
        this.topics = topics;
        this.meters = meters;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        for (String reason : new String[] {REASON_QUEUE_FULL, REASON_SEND_FAILED}) {
            droppedCounter(reason);
        }
        Map<String, Object> config = producerConfig(bootstrapServers, producerOverrides);
        this.connectedMetadataAgeMs = STALE_METADATA_PERIODS
                * Long.parseLong(String.valueOf(config.get(ProducerConfig.METADATA_MAX_AGE_CONFIG)));
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.sender = new Thread(this::drain, "cargohold-kafka-events");
        sender.setDaemon(true);
        sender.start();
    }

    static Map<String, Object> producerConfig(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "cargohold-events");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, METADATA_MAX_AGE_MS);
        config.putAll(overrides);
        return config;
    }

    /** Queues the event for sending and returns at once; never throws, never blocks. */
    @Override
    public void publish(RegistryEvent event) {
        if (event == null) {
            return;
        }
        if (closed.get()) {
            drop(REASON_CLOSED, event, "publisher closed");
            return;
        }
        if (topics.topicFor(event.type()).isEmpty()) {
            drop(REASON_UNKNOWN_TYPE, event, "no topic for this event type");
            return;
        }
        if (!queue.offer(event)) {
            drop(REASON_QUEUE_FULL, event, "event queue full (" + (queue.size() + queue.remainingCapacity())
                    + " events), Kafka unreachable or slow");
        }
    }

    /**
     * True while the producer's last successful metadata refresh from the cluster is recent: the
     * brokers answered it lately. False before the first answer, after close, and once the cluster
     * has been unreachable for a few refresh periods.
     */
    public boolean isConnected() {
        if (closed.get()) {
            return false;
        }
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (METADATA_AGE_METRIC.equals(metric.getKey().name())
                    && PRODUCER_METRICS_GROUP.equals(metric.getKey().group())
                    && metric.getValue().metricValue() instanceof Number ageSeconds) {
                return ageSeconds.doubleValue() * 1000 < connectedMetadataAgeMs;
            }
        }
        return false;
    }

    /** Events waiting for the sender thread. */
    public int queued() {
        return queue.size();
    }

    /** Stops accepting events and sends what it can within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops accepting events, hands the queued ones to Kafka and waits for their acknowledgement, all
     * within {@code timeout}; what is still queued or unacknowledged then is dropped and counted.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        drainDeadlineNanos = deadline;
        try {
            sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (sender.isAlive()) {
                sender.interrupt();
                sender.join(MAX_BLOCK_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RegistryEvent left;
        while ((left = queue.poll()) != null) {
            drop(REASON_CLOSED, left, "not sent before close");
        }
        long remaining = Math.max(0, deadline - System.nanoTime());
        try {
            producer.close(Duration.ofNanos(remaining));
        } catch (RuntimeException e) {
            LOG.warn("closing the Kafka producer failed: {}", e.toString());
        }
    }

    private void drain() {
        while (true) {
            RegistryEvent event;
            try {
                event = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (event != null) {
                send(event);
            }
            if (closed.get() && (queue.isEmpty() || System.nanoTime() - drainDeadlineNanos > 0)) {
                return;
            }
        }
    }

    private void send(RegistryEvent event) {
        String topic = topics.topicFor(event.type()).orElseThrow();
        try {
            ProducerRecord<String, byte[]> record =
                    new ProducerRecord<>(topic, event.repository(), RegistryEventCodec.encode(event));
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    publishedCounter(event.type()).increment();
                } else {
                    drop(REASON_SEND_FAILED, event, "sending to " + topic + " failed: " + error);
                }
            });
        } catch (RuntimeException e) {
            // Thrown by send() itself (not ApiExceptions, which reach the callback): interrupted at
            // close, producer closed, or the value could not be encoded.
            drop(REASON_SEND_FAILED, event, "sending to " + topic + " failed: " + e);
        }
    }

    private void drop(String reason, RegistryEvent event, String why) {
        droppedCounter(reason).increment();
        dropLog.warn("dropped {} event for {} ({}): {}", event.type(), event.repository(), reason, why);
    }

    private Counter droppedCounter(String reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder(DROPPED_METER)
                .description("Registry events not delivered to Kafka")
                .tag("reason", r)
                .register(meters));
    }

    private Counter publishedCounter(String type) {
        return published.computeIfAbsent(type, t -> Counter.builder(PUBLISHED_METER)
                .description("Registry events acknowledged by Kafka")
                .tag("type", t)
                .register(meters));
    }
}
