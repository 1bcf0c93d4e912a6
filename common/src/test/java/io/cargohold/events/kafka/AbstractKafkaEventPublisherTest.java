package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.KafkaTestClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher against a running broker: routing by type, keys, the JSON value, flush on close.
 * Subclasses provide the broker: one inside the test JVM ({@link KafkaEventPublisherTest}) or one
 * in a container ({@link KafkaEventPublisherContainerTest}).
 */
abstract class AbstractKafkaEventPublisherTest {

    /** Generous: the first send also waits for the new topics' metadata, slow on a busy machine. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

    static final String DIGEST = "sha256:" + "b".repeat(64);
    static final Duration WAIT = Duration.ofSeconds(30);

    /** The broker under test; topics are unique per test, so one broker serves the whole class. */
    protected abstract KafkaTestClient kafka();

    @Test
    void publish_eachType_routedToItsTopicKeyedByRepositoryAsJson() {
        KafkaTopics topics = uniqueTopics();
        kafka().createTopics(1, topics.all());
        MeterRegistry meters = new SimpleMeterRegistry();
        List<RegistryEvent> events = List.of(
                event(RegistryEvent.PULL, "up/library/app"),
                event(RegistryEvent.CACHE_MISS, "up/library/db"),
                event(RegistryEvent.IMAGE_CACHED, "up/library/app"),
                event(RegistryEvent.TAG_REFRESHED, "up/library/web"),
                event(RegistryEvent.IMAGE_EXPIRED, "up/library/old"),
                event(RegistryEvent.UPSTREAM_ERROR, "up/library/gone"),
                event(RegistryEvent.AUDIT, "up/library/app"));

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka().bootstrapServers(), topics, meters)) {
            events.forEach(publisher::publish);
        }

        assertThat(decoded(topics.pulls(), 1)).containsExactly(events.get(0));
        assertThat(decoded(topics.cacheMisses(), 1)).containsExactly(events.get(1));
        assertThat(decoded(topics.images(), 4)).containsExactlyElementsOf(events.subList(2, 6));
        assertThat(decoded(topics.audit(), 1)).containsExactly(events.get(6));
        for (String topic : topics.all()) {
            assertThat(kafka().readAll(topic)).allSatisfy(record -> assertThat(record.key())
                    .isEqualTo(RegistryEventCodec.decode(record.value()).repository()));
        }
        assertThat(count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.PULL)).isEqualTo(1);
        assertThat(count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.IMAGE_EXPIRED))
                .isEqualTo(1);
        assertThat(totalDropped(meters)).isZero();
    }

    @Test
    void publish_unknownType_droppedAndCounted() {
        KafkaTopics topics = uniqueTopics();
        MeterRegistry meters = new SimpleMeterRegistry();

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka().bootstrapServers(), topics, meters)) {
            publisher.publish(event("not-a-type", "up/library/app"));
        }

        assertThat(count(meters, KafkaEventPublisher.DROPPED_METER, "reason", KafkaEventPublisher.REASON_UNKNOWN_TYPE))
                .isEqualTo(1);
    }

    @Test
    void close_queuedEvents_flushedBeforeReturning() {
        KafkaTopics topics = uniqueTopics();
        kafka().createTopics(3, topics.all());
        MeterRegistry meters = new SimpleMeterRegistry();
        List<RegistryEvent> pulls = IntStream.range(0, 500)
                .mapToObj(i -> event(RegistryEvent.PULL, "up/library/app" + (i % 7))).toList();

        // A just-created partition can still answer NOT_LEADER to the first batches; the idempotent
        // producer can then wedge on out-of-order sequences past the close time-out. What is under
        // test is the flush on close, so this producer retries without sequence numbers.
        KafkaEventPublisher publisher = new KafkaEventPublisher(kafka().bootstrapServers(), topics, meters,
                KafkaEventPublisher.DEFAULT_QUEUE_CAPACITY, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
        pulls.forEach(publisher::publish);
        publisher.close(FLUSH_TIMEOUT);

        assertThat(count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.PULL)).isEqualTo(500);
        assertThat(decoded(topics.pulls(), 500)).containsExactlyInAnyOrderElementsOf(pulls);
        assertThat(totalDropped(meters)).isZero();
    }

    static KafkaTopics uniqueTopics() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        return new KafkaTopics("t-" + id + ".pulls", "t-" + id + ".cache-misses", "t-" + id + ".images",
                "t-" + id + ".audit");
    }

    static RegistryEvent event(String type, String repository) {
        return RegistryEvent.of(type, repository, "1", DIGEST, "application/vnd.oci.image.manifest.v1+json", 1234,
                "edge-test");
    }

    private List<RegistryEvent> decoded(String topic, int count) {
        return kafka().readAtLeast(topic, count, WAIT).stream()
                .map(record -> RegistryEventCodec.decode(record.value())).toList();
    }

    static double count(MeterRegistry meters, String name, String tag, String value) {
        var counter = meters.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    static double totalDropped(MeterRegistry meters) {
        return meters.find(KafkaEventPublisher.DROPPED_METER).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
