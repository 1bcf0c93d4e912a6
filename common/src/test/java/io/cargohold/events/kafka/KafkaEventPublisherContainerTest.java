package io.cargohold.events.kafka;

import io.cargohold.testkit.KafkaTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The publisher against Apache Kafka in a container; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class KafkaEventPublisherContainerTest extends AbstractKafkaEventPublisherTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka-native:3.9.1");

    private static KafkaTestClient client;

    @BeforeAll
    static void connect() {
        client = new KafkaTestClient(KAFKA.getBootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Override
    protected KafkaTestClient kafka() {
        return client;
    }
}
