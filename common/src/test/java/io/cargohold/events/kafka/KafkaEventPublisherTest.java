package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.KafkaBroker;
import io.cargohold.testkit.KafkaTestClient;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The publisher against a broker inside the test JVM: the shared tests of
 * {@link AbstractKafkaEventPublisherTest}, the creation of its topics ({@link KafkaTopicSetup}), and the
 * outage tests, which stop and restart the broker.
 */
class KafkaEventPublisherTest extends AbstractKafkaEventPublisherTest {

    /** Far above what 1000 queue offers take, far below what one blocking Kafka call would take each. */
    private static final Duration NON_BLOCKING_BOUND = Duration.ofSeconds(2);
    private static final Duration TOPIC_SETUP_TIMEOUT = Duration.ofSeconds(20);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Override
    protected KafkaTestClient kafka() {
        return broker.client();
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
                // A send fails only once its delivery time-out has passed.
                Eventually.await(Duration.ofMillis(KafkaEventPublisher.DELIVERY_TIMEOUT_MS).plus(WAIT),
                        "a send to the stopped broker to fail", () -> count(meters,
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

    @Test
    void isConnected_brokerUpThenStopped_trueWithoutSendingThenFalse() {
        try (KafkaBroker own = KafkaBroker.start();
             KafkaEventPublisher publisher = new KafkaEventPublisher(own.bootstrapServers(), uniqueTopics(),
                     new SimpleMeterRegistry(), 10, Map.of("metadata.max.age.ms", 500))) {
            Eventually.await(WAIT, "the producer to fetch the cluster's metadata", publisher::isConnected);

            own.stopBroker();

            Eventually.await(WAIT, "the producer to notice the broker is gone", () -> !publisher.isConnected());
        }
    }

    @Test
    void isConnected_kafkaUnreachable_false() throws IOException {
        try (KafkaEventPublisher publisher = new KafkaEventPublisher("127.0.0.1:" + closedPort(), uniqueTopics(),
                new SimpleMeterRegistry(), 10, Map.of())) {
            assertThat(publisher.isConnected()).isFalse();
            publisher.close(Duration.ofMillis(200));
            assertThat(publisher.isConnected()).isFalse();
        }
    }

    private static double published(MeterRegistry meters) {
        return count(meters, KafkaEventPublisher.PUBLISHED_METER, "type", RegistryEvent.PULL);
    }

    @Test
    void topicSetup_someTopicsExist_createsTheOthersAndLeavesTheExistingOnes() throws Exception {
        KafkaTopics topics = uniqueTopics();
        broker.createTopic(topics.audit(), 3);

        List<String> created = KafkaTopicSetup.ensure(broker.bootstrapServers(), topics, TOPIC_SETUP_TIMEOUT);

        assertThat(created).containsExactly(topics.pulls(), topics.cacheMisses(), topics.images());
        // A broker lists a new topic once its metadata has caught up: moments later on a loaded machine.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!broker.admin().listTopics().names().get().containsAll(topics.all()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(broker.admin().listTopics().names().get()).containsAll(topics.all());
        assertThat(broker.admin().describeTopics(List.of(topics.audit())).allTopicNames().get()
                .get(topics.audit()).partitions()).as("the existing topic, untouched").hasSize(3);
        assertThat(KafkaTopicSetup.ensure(broker.bootstrapServers(), topics, TOPIC_SETUP_TIMEOUT))
                .as("a second run").isEmpty();
    }

    @Test
    void topicSetup_kafkaUnreachable_failsNamingTheTopicWithinTheTimeout() throws IOException {
        String closed = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();

        assertThatThrownBy(() -> KafkaTopicSetup.ensure(closed, uniqueTopics(), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
