package io.cargohold.events.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the event topics that do not exist yet, with the brokers' default partition count and
 * replication factor, so that neither the first events nor the refresher's consumer group wait on
 * a broker's auto-creation: an idempotent producer can stall on partitions created under it.
 * Deployments that create the topics themselves (docker-compose's {@code kafka-init}, the
 * Kubernetes Job) lose nothing: existing topics are left as they are.
 */
public final class KafkaTopicSetup {

    private KafkaTopicSetup() {
    }

    /**
     * Creates the missing topics among {@code topics}, waiting at most {@code timeout}; answers the
     * ones it created. Blocking.
     *
     * @throws IllegalStateException when Kafka cannot be reached or refuses (no permission to create
     *                               topics, too few brokers for the default replication factor)
     */
    public static List<String> ensure(String bootstrapServers, KafkaTopics topics, Duration timeout) {
        int timeoutMs = (int) timeout.toMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "cargohold-topic-setup",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs))) {
            CreateTopicsResult result = admin.createTopics(topics.all().stream()
                    .map(name -> new NewTopic(name, Optional.empty(), Optional.empty()))
                    .toList());
            List<String> created = new ArrayList<>();
            for (String name : topics.all()) {
                if (created(result, name, timeout)) {
                    created.add(name);
                }
            }
            return created;
        }
    }

    private static boolean created(CreateTopicsResult result, String name, Duration timeout) {
        try {
            result.values().get(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("could not create Kafka topic " + name + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer the creation of topic " + name + " within "
                    + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topic " + name, e);
        }
    }
}
