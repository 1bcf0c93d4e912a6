package io.cargohold.testkit;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real single-node KRaft Kafka (broker and controller combined) inside the test JVM, from
 * Kafka's own {@link KafkaClusterTestKit}. Clients use only {@link #bootstrapServers()}. The broker
 * can be stopped and started again on the same port to simulate an outage; {@link #close()} shuts
 * everything down, once.
 */
public final class KafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final KafkaTestClient client;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.client = new KafkaTestClient(cluster.bootstrapServers());
    }

    /** Formats and starts a fresh one-node cluster and waits until its broker is ready. */
    public static KafkaBroker start() {
        KafkaClusterTestKit cluster = null;
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("could not start the Kafka test broker", e);
        }
    }

    /** {@code localhost:<port>}, as the broker reports it. */
    public String bootstrapServers() {
        return client.bootstrapServers();
    }

    /** Topics, records and offsets of this broker; closed with the broker. */
    public KafkaTestClient client() {
        return client;
    }

    /** An admin client for this broker, closed with the broker. */
    public Admin admin() {
        return client.admin();
    }

    /** Creates the topics (replication factor 1) unless they exist. */
    public void createTopics(int partitions, Collection<String> topics) {
        client.createTopics(partitions, topics);
    }

    public void createTopic(String topic, int partitions) {
        client.createTopic(topic, partitions);
    }

    /** Stops the broker (the controller keeps running); clients see connection refused. */
    public void stopBroker() {
        for (BrokerServer broker : cluster.brokers().values()) {
            broker.shutdown();
            broker.awaitShutdown();
        }
    }

    /** Starts the stopped broker again on the same port and waits until it is ready. */
    public void startBroker() {
        try {
            for (BrokerServer broker : cluster.brokers().values()) {
                broker.startup();
            }
            cluster.waitForReadyBrokers();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not restart the Kafka test broker", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes raw records (the key is the repository, the value any bytes) and waits for the acks. */
    public void produce(String topic, String key, byte[]... values) {
        client.produce(topic, key, values);
    }

    /** Every record now in the topic, from all partitions, read with a plain consumer (no group). */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return client.readAll(topic);
    }

    /** See {@link KafkaTestClient#readAtLeast}. */
    public List<ConsumerRecord<String, byte[]>> readAtLeast(String topic, int count, Duration timeout) {
        return client.readAtLeast(topic, count, timeout);
    }

    /** The offsets the group committed, by partition (absent: nothing committed). */
    public Map<TopicPartition, Long> committedOffsets(String groupId) {
        return client.committedOffsets(groupId);
    }

    /** The latest offset of each partition of the topic. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        return client.endOffsets(topic);
    }

    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        client.close();
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the Kafka test broker", e);
        }
    }
}
