package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.KafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaEventPublisherTest {

    private static final String DIGEST = "sha256:" + "b".repeat(64);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Far above what 1000 queue offers take, far below what one blocking Kafka call would take each. */
    private static final Duration NON_BLOCKING_BOUND = Duration.ofSeconds(2);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void publish_eachType_routedToItsTopicKeyedByRepositoryAsJson() {
        KafkaTopics topics = uniqueTopics();
        broker.createTopics(1, topics.all());
        MeterRegistry meters = new SimpleMeterRegistry();
        List<RegistryEvent> events = List.of(
                event(RegistryEvent.PULL, "up/library/app"),
                event(RegistryEvent.CACHE_MISS, "up/library/db"),
                event(RegistryEvent.IMAGE_CACHED, "up/library/app"),
                event(RegistryEvent.TAG_REFRESHED, "up/library/web"),
                event(RegistryEvent.IMAGE_EXPIRED, "up/library/old"),
                event(RegistryEvent.UPSTREAM_ERROR, "up/library/gone"),
                event(RegistryEvent.AUDIT, "up/library/app"));

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(broker.bootstrapServers(), topics, meters)) {
            events.forEach(publisher::publish);
        }

        assertThat(decoded(topics.pulls(), 1)).containsExactly(events.get(0));
        assertThat(decoded(topics.cacheMisses(), 1)).containsExactly(events.get(1));
        assertThat(decoded(topics.images(), 4)).containsExactlyElementsOf(events.subList(2, 6));
        assertThat(decoded(topics.audit(), 1)).containsExactly(events.get(6));
        for (String topic : topics.all()) {
            assertThat(broker.readAll(topic)).allSatisfy(record -> assertThat(record.key())
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

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(broker.bootstrapServers(), topics, meters)) {
            publisher.publish(event("not-a-type", "up/library/app"));
        }

        assertThat(count(meters, KafkaEventPublisher.DROPPED_METER, "reason", KafkaEventPublisher.REASON_UNKNOWN_TYPE))
                .isEqualTo(1);
    }

    @Test
    void close_queuedEvents_flushedBeforeReturning() {
        KafkaTopics topics = uniqueTopics();
        broker.createTopics(3, topics.all());
        MeterRegistry meters = new SimpleMeterRegistry();
        List<RegistryEvent> pulls = IntStream.range(0, 500)
                .mapToObj(i -> event(RegistryEvent.PULL, "up/library/app" + (i % 7))).toList();

        KafkaEventPublisher publisher = new KafkaEventPublisher(broker.bootstrapServers(), topics, meters);
        pulls.forEach(publisher::publish);
        publisher.close();

        assertThat(count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.PULL)).isEqualTo(500);
        assertThat(decoded(topics.pulls(), 500)).containsExactlyInAnyOrderElementsOf(pulls);
        assertThat(totalDropped(meters)).isZero();
    }

    @Test
    void publish_kafkaUnreachable_returnsAtOnceAndCountsDrops() throws IOException {
        MeterRegistry meters = new SimpleMeterRegistry();
        String closedPort = "127.0.0.1:" + closedPort();

        try (KafkaEventPublisher publisher = new KafkaEventPublisher(closedPort, uniqueTopics(), meters, 100,
                Map.of())) {
            long started = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                publisher.publish(event(RegistryEvent.PULL, "up/library/app"));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).isLessThan(NON_BLOCKING_BOUND);
            assertThat(count(meters, KafkaEventPublisher.DROPPED_METER, "reason",
                    KafkaEventPublisher.REASON_QUEUE_FULL)).isGreaterThanOrEqualTo(1000 - 100 - 1);
            Eventually.await(WAIT, "a failed send to be counted", () -> count(meters,
                    KafkaEventPublisher.DROPPED_METER, "reason", KafkaEventPublisher.REASON_SEND_FAILED) >= 1);
            publisher.close(Duration.ofMillis(500));
        }
        assertThat(totalDropped(meters)).isEqualTo(1000);
    }

    @Test
    void publish_brokerStoppedThenBack_dropsWhileDownThenFlowsAgain() {
        try (KafkaBroker own = KafkaBroker.start()) {
            KafkaTopics topics = uniqueTopics();
            own.createTopics(1, topics.all());
            MeterRegistry meters = new SimpleMeterRegistry();
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(own.bootstrapServers(), topics, meters,
                    50, Map.of())) {
                publisher.publish(event(RegistryEvent.PULL, "up/library/before"));
                Eventually.await(WAIT, "the first event to be acknowledged", () -> published(meters) == 1);

                own.stopBroker();
                long started = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    publisher.publish(event(RegistryEvent.PULL, "up/library/during"));
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(NON_BLOCKING_BOUND);
                // The sender thread keeps handing events to the producer's own buffer meanwhile, so how
                // many find the queue full depends on scheduling; that some do, without blocking, does not.
                assertThat(count(meters, KafkaEventPublisher.DROPPED_METER, "reason",
                        KafkaEventPublisher.REASON_QUEUE_FULL)).isPositive();
                Eventually.await(WAIT, "a send to the stopped broker to fail", () -> count(meters,
                        KafkaEventPublisher.DROPPED_METER, "reason", KafkaEventPublisher.REASON_SEND_FAILED) >= 1);

                own.startBroker();
                publisher.publish(event(RegistryEvent.PULL, "up/library/after"));
                Eventually.await(WAIT, "every event still queued to be acknowledged or dropped after the restart",
                        () -> published(meters) + totalDropped(meters) == 1002);

                List<String> repositories = own.readAtLeast(topics.pulls(), (int) published(meters), WAIT).stream()
                        .map(ConsumerRecord::key).toList();
                assertThat(repositories).hasSize((int) published(meters))
                        .startsWith("up/library/before").endsWith("up/library/after");
            }
        }
    }

    private static double published(MeterRegistry meters) {
        return count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.PULL);
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

    private static List<RegistryEvent> decoded(String topic, int count) {
        return broker.readAtLeast(topic, count, WAIT).stream()
                .map(record -> RegistryEventCodec.decode(record.value())).toList();
    }

    private static double count(MeterRegistry meters, String name, String tag, String value) {
        var counter = meters.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double totalDropped(MeterRegistry meters) {
        return meters.find(KafkaEventPublisher.DROPPED_METER).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
