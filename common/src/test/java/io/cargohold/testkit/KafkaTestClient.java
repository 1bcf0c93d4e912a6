package io.cargohold.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Test-side access to any Kafka cluster by its bootstrap servers: topics, raw records in and out,
 * consumer group offsets. Used by {@link KafkaBroker} for the broker inside the test JVM and by
 * tests that run against a broker in a container. {@link #close()} closes the admin client.
 */
public final class KafkaTestClient implements AutoCloseable {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private Admin admin;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client, closed by {@link #close()}. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
        }
        return admin;
    }

    /** Creates the topics (replication factor 1) unless they exist. */
    public void createTopics(int partitions, Collection<String> topics) {
        List<NewTopic> newTopics = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
        admin().createTopics(newTopics).values().forEach((name, result) -> {
            try {
                result.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + name, e.getCause());
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not create topic " + name, e);
            }
        });
        awaitLeaders(topics);
    }

    /**
     * Waits until the broker's metadata has a leader for every partition: a producer that asks
     * sooner waits for it, and one with a short {@code max.block.ms} gives up on the first events.
     */
    private void awaitLeaders(Collection<String> topics) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                boolean ready = admin().describeTopics(topics).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values().stream()
                        .flatMap(topic -> topic.partitions().stream())
                        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("could not describe topics " + topics, e.getCause());
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not describe topics " + topics, e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no leaders for " + topics + " within " + ADMIN_TIMEOUT);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    public void createTopic(String topic, int partitions) {
        createTopics(partitions, List.of(topic));
    }

    /** Writes raw records (the key is the repository, the value any bytes) and waits for the acks. */
    public void produce(String topic, String key, byte[]... values) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, key, value)).get(ADMIN_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Every record now in the topic, from all partitions, read with a plain consumer (no group). */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return readAtLeast(topic, 0, Duration.ofSeconds(30));
    }

    /**
     * Every record in the topic, read until at least {@code count} are there and the end of each
     * partition is reached, or until the deadline (then what was read so far).
     */
    public List<ConsumerRecord<String, byte[]>> readAtLeast(String topic, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                boolean atEnd = consumer.endOffsets(partitions).entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                if ((atEnd && records.size() >= count) || System.nanoTime() - deadline > 0) {
                    return records;
                }
            }
        }
    }

    /** The offsets the group committed, by partition (absent: nothing committed). */
    public Map<TopicPartition, Long> committedOffsets(String groupId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin().listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("could not read the offsets of group " + groupId, e);
        }
    }

    /** The latest offset of each partition of the topic. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try {
            var description = admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> request = description.partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            return admin().listOffsets(request).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("could not read the end offsets of " + topic, e);
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
