package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.events.kafka.KafkaEventPublisher;
import io.cargohold.events.kafka.KafkaEventSubscriber;
import io.cargohold.events.kafka.KafkaTopicSetup;
import io.cargohold.events.kafka.KafkaTopics;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.spi.EventFeed;
import io.cargohold.spi.EventPublisher;
import io.cargohold.spi.RegistryEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A node's events: published and consumed on the in-process bus in the embedded default, through
 * Kafka when {@code kafka} is configured. Closing it closes the Kafka producer.
 */
final class NodeEvents implements EventFeed, AutoCloseable {

    /** The Kafka consumer group of refresher workers: they share the topics' partitions. */
    static final String REFRESHER_GROUP = "cargohold-refresher";

    private static final Logger LOG = LoggerFactory.getLogger(NodeEvents.class);
    private static final Duration KAFKA_TOPIC_SETUP_TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final CargoholdConfig.KafkaConfig kafkaConfig;
    private final MeterRegistry meters;
    private final EventPublisher publisher;
    private final KafkaEventPublisher kafka;

    NodeEvents(Vertx vertx, CargoholdConfig.KafkaConfig kafkaConfig, MeterRegistry meters) {
        this.vertx = vertx;
        this.kafkaConfig = kafkaConfig;
        this.meters = meters;
        if (kafkaConfig == null) {
            kafka = null;
            publisher = new LocalEventPublisher(vertx);
        } else {
            KafkaTopics topics = KafkaTopics.fromMap(kafkaConfig.topics());
            createMissingTopics(topics);
            kafka = new KafkaEventPublisher(kafkaConfig.bootstrapServers(), topics, meters);
            publisher = kafka;
        }
    }

    EventPublisher publisher() {
        return publisher;
    }

    /** Why events cannot be published, or null: with Kafka, the producer has not reached the brokers lately. */
    String problem() {
        if (kafka != null && !kafka.isConnected()) {
            return "the Kafka producer has not reached " + kafkaConfig.bootstrapServers() + " lately";
        }
        return null;
    }

    /**
     * Creates the event topics that do not exist, in the background: a node starts, and pulls go on,
     * while Kafka is down or refuses; then the brokers' auto-creation, or the deployment, has to make them.
     */
    private void createMissingTopics(KafkaTopics topics) {
        vertx.executeBlocking(() -> KafkaTopicSetup.ensure(kafkaConfig.bootstrapServers(), topics,
                        KAFKA_TOPIC_SETUP_TIMEOUT), false)
                .onSuccess(created -> {
                    if (!created.isEmpty()) {
                        LOG.info("created the Kafka topics {}", created);
                    }
                })
                .onFailure(e -> LOG.warn("{}; events wait for the brokers' auto-creation or the deployment's topics",
                        e.getMessage()));
    }

    /**
     * Feeds the workers (the refresher, the lifecycle trigger) the events they react to: from the
     * in-process bus in the embedded default, from the Kafka consumer group otherwise (at-least-once;
     * both are idempotent). Closing the answer stops the feed.
     */
    @Override
    public AutoCloseable feed(Function<RegistryEvent, Future<Void>> worker) {
        if (kafkaConfig == null) {
            MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(LocalEventPublisher.ADDRESS,
                    message -> {
                        RegistryEvent event = RegistryEvent.fromJson(message.body());
                        worker.apply(event).onFailure(e -> LOG.warn("{} of {} not handled: {}", event.type(),
                                event.repository(), e.getMessage()));
                    });
            return () -> consumer.unregister().toCompletionStage().toCompletableFuture().join();
        }
        KafkaTopics topics = KafkaTopics.fromMap(kafkaConfig.topics());
        Context context = vertx.getOrCreateContext();
        KafkaEventSubscriber subscriber = new KafkaEventSubscriber(kafkaConfig.bootstrapServers(), REFRESHER_GROUP,
                List.of(topics.images(), topics.pulls()), event -> onContext(context, () -> worker.apply(event)),
                KafkaEventSubscriber.Options.defaults().withMeters(meters));
        subscriber.start();
        return subscriber;
    }

    /** Runs Vert.x work for a caller on another thread (the Kafka poll loop) on a Vert.x context. */
    private static Future<Void> onContext(Context context, Supplier<Future<Void>> work) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(done));
        return done.future();
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
