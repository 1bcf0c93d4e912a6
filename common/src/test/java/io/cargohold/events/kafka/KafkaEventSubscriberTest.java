package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import io.cargohold.testkit.KafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import static io.cargohold.events.kafka.AbstractKafkaEventPublisherTest.event;
import static org.assertj.core.api.Assertions.assertThat;

class KafkaEventSubscriberTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaBroker broker;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void subscriber_handlerFailsOnce_seesEventAgainAndCommitsAfterSuccess() {
        String topic = uniqueName("images");
        broker.createTopic(topic, 1);
        RegistryEvent cached = event(RegistryEvent.IMAGE_CACHED, "up/library/app");
        broker.produce(topic, cached.repository(), RegistryEventCodec.encode(cached));
        List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
        String group = uniqueName("group");

        subscribe(group, topic, event -> {
            seen.add(event);
            return seen.size() == 1 ? Future.failedFuture("first attempt fails") : Future.succeededFuture();
        });

        Eventually.await(WAIT, "the offset to be committed", () -> committedIs(group, topic, 1));
        assertThat(seen).containsExactly(cached, cached);
        assertThat(consumed(group, "handled")).isEqualTo(1);
        assertThat(count(KafkaEventSubscriber.RETRIED_METER, group)).isEqualTo(1);
    }

    @Test
    void subscriber_closedBeforeHandlerCompletes_offsetNotCommittedAndEventDeliveredAgain() {
        String topic = uniqueName("pulls");
        broker.createTopic(topic, 1);
        RegistryEvent pull = event(RegistryEvent.PULL, "up/library/app");
        broker.produce(topic, pull.repository(), RegistryEventCodec.encode(pull));
        String group = uniqueName("group");
        Promise<Void> neverCompleted = Promise.promise();
        AtomicInteger firstCalls = new AtomicInteger();

        KafkaEventSubscriber first = subscribe(group, topic, event -> {
            firstCalls.incrementAndGet();
            return neverCompleted.future();
        });
        Eventually.await(WAIT, "the first subscriber's handler to be called", () -> firstCalls.get() == 1);
        assertThat(committed(group, topic, 0)).isNull();
        first.close();
        assertThat(committed(group, topic, 0)).isNull();

        List<RegistryEvent> seenBySecond = new CopyOnWriteArrayList<>();
        subscribe(group, topic, event -> {
            seenBySecond.add(event);
            return Future.succeededFuture();
        });

        Eventually.await(WAIT, "the offset to be committed", () -> committedIs(group, topic, 1));
        assertThat(seenBySecond).containsExactly(pull);
    }

    @Test
    void subscriber_handlerKeepsFailing_retriedBoundedTimesThenSkipped() {
        String topic = uniqueName("images");
        broker.createTopic(topic, 1);
        RegistryEvent poison = event(RegistryEvent.TAG_REFRESHED, "up/library/poison");
        RegistryEvent throwing = event(RegistryEvent.TAG_REFRESHED, "up/library/throws");
        RegistryEvent fine = event(RegistryEvent.TAG_REFRESHED, "up/library/fine");
        broker.produce(topic, "k", RegistryEventCodec.encode(poison), RegistryEventCodec.encode(throwing),
                RegistryEventCodec.encode(fine));
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        String group = uniqueName("group");

        subscribe(group, topic, event -> {
            calls.computeIfAbsent(event.repository(), r -> new AtomicInteger()).incrementAndGet();
            return switch (event.repository()) {
                case "up/library/poison" -> Future.failedFuture("always fails");
                case "up/library/throws" -> throw new IllegalStateException("handler bug");
                default -> Future.succeededFuture();
            };
        });

        Eventually.await(WAIT, "the offsets to be committed", () -> committedIs(group, topic, 3));
        assertThat(calls).hasSize(3);
        assertThat(calls.get("up/library/poison")).hasValue(3);
        assertThat(calls.get("up/library/throws")).hasValue(3);
        assertThat(calls.get("up/library/fine")).hasValue(1);
        assertThat(consumed(group, "failed")).isEqualTo(2);
        assertThat(consumed(group, "handled")).isEqualTo(1);
    }

    @Test
    void subscriber_handlerNeverCompletes_timesOutAndCountsAsFailure() {
        String topic = uniqueName("images");
        broker.createTopic(topic, 1);
        RegistryEvent event = event(RegistryEvent.IMAGE_EXPIRED, "up/library/slow");
        broker.produce(topic, event.repository(), RegistryEventCodec.encode(event));
        AtomicInteger calls = new AtomicInteger();
        String group = uniqueName("group");

        subscribe(group, topic, e -> {
            calls.incrementAndGet();
            return Promise.<Void>promise().future();
        }, options().withMaxAttempts(2).withHandlerTimeout(Duration.ofMillis(300)));

        Eventually.await(WAIT, "the offset to be committed", () -> committedIs(group, topic, 1));
        assertThat(calls).hasValue(2);
        assertThat(consumed(group, "failed")).isEqualTo(1);
    }

    @Test
    void subscriber_malformedRecords_skippedAndLoopContinues() {
        String topic = uniqueName("audit");
        broker.createTopic(topic, 1);
        RegistryEvent audit = event(RegistryEvent.AUDIT, "up/library/app");
        broker.produce(topic, "up/library/app",
                "not json".getBytes(StandardCharsets.UTF_8),
                "{\"version\":99,\"type\":\"audit\",\"repository\":\"up/library/app\"}".getBytes(StandardCharsets.UTF_8),
                null,
                RegistryEventCodec.encode(audit));
        List<RegistryEvent> seen = new CopyOnWriteArrayList<>();
        String group = uniqueName("group");

        subscribe(group, topic, event -> {
            seen.add(event);
            return Future.succeededFuture();
        });

        Eventually.await(WAIT, "the offsets to be committed", () -> committedIs(group, topic, 4));
        assertThat(seen).containsExactly(audit);
        assertThat(consumed(group, "malformed")).isEqualTo(3);

        RegistryEvent later = event(RegistryEvent.AUDIT, "up/library/later");
        broker.produce(topic, later.repository(), RegistryEventCodec.encode(later));
        Eventually.await(WAIT, "the loop to handle a later event", () -> seen.size() == 2);
        assertThat(seen).containsExactly(audit, later);
    }

    @Test
    void subscribers_twoInOneGroup_splitPartitionsAndShareTheEvents() {
        KafkaTopics topics = AbstractKafkaEventPublisherTest.uniqueTopics();
        broker.createTopics(4, topics.all());
        String group = uniqueName("group");
        Map<String, List<String>> bySubscriber = new ConcurrentHashMap<>();
        Function<String, Function<RegistryEvent, Future<Void>>> handlerFor = name -> event -> {
            bySubscriber.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(event.repository());
            return Future.succeededFuture();
        };
        KafkaEventSubscriber one = subscribe(group, topics.pulls(), handlerFor.apply("one"));
        KafkaEventSubscriber two = subscribe(group, topics.pulls(), handlerFor.apply("two"));

        Eventually.await(WAIT, "both subscribers to hold two partitions each", () -> {
            Set<TopicPartition> a = one.assignment();
            Set<TopicPartition> b = two.assignment();
            Set<TopicPartition> union = new HashSet<>(a);
            union.addAll(b);
            return a.size() == 2 && b.size() == 2 && union.size() == 4;
        });
        List<String> repositories = IntStream.range(0, 40).mapToObj(i -> "up/library/app-" + i).toList();
        // Just-created partitions can still answer NOT_LEADER to the first batches, on which the
        // idempotent producer can wedge on out-of-order sequences for its whole delivery time-out.
        // What is under test is how the group shares the events, so this producer retries without
        // sequence numbers, and its close (which flushes) gets the whole wait.
        KafkaEventPublisher publisher = new KafkaEventPublisher(broker.bootstrapServers(), topics, meters,
                KafkaEventPublisher.DEFAULT_QUEUE_CAPACITY, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
        repositories.forEach(r -> publisher.publish(event(RegistryEvent.PULL, r)));
        publisher.close(WAIT);

        Eventually.await(WAIT, "every event to be handled", () -> bySubscriber.values().stream()
                .mapToInt(List::size).sum() >= repositories.size());
        assertThat(bySubscriber).containsOnlyKeys("one", "two");
        List<String> all = new ArrayList<>(bySubscriber.get("one"));
        all.addAll(bySubscriber.get("two"));
        assertThat(all).containsExactlyInAnyOrderElementsOf(repositories);
        assertThat(bySubscriber.get("one")).doesNotContainAnyElementsOf(bySubscriber.get("two"));
    }

    @Test
    void close_neverStartedOrTwice_returnsQuietly() {
        KafkaEventSubscriber subscriber = new KafkaEventSubscriber(broker.bootstrapServers(), uniqueName("group"),
                List.of(uniqueName("t")), event -> Future.succeededFuture(), options());
        subscriber.close();
        subscriber.close();

        KafkaEventSubscriber started = subscribe(uniqueName("group"), uniqueName("t"), e -> Future.succeededFuture());
        started.close();
        started.close();
        assertThat(started.assignment()).isEmpty();
    }

    private KafkaEventSubscriber subscribe(String group, String topic, Function<RegistryEvent, Future<Void>> handler) {
        return subscribe(group, topic, handler, options());
    }

    private KafkaEventSubscriber subscribe(String group, String topic, Function<RegistryEvent, Future<Void>> handler,
                                           KafkaEventSubscriber.Options options) {
        KafkaEventSubscriber subscriber =
                new KafkaEventSubscriber(broker.bootstrapServers(), group, List.of(topic), handler, options);
        toClose.add(subscriber);
        return subscriber.start();
    }

    private KafkaEventSubscriber.Options options() {
        return KafkaEventSubscriber.Options.defaults().withRetryBackoff(Duration.ZERO).withMeters(meters);
    }

    private static boolean committedIs(String group, String topic, long offset) {
        return Long.valueOf(offset).equals(committed(group, topic, 0));
    }

    private static Long committed(String group, String topic, int partition) {
        return broker.committedOffsets(group).get(new TopicPartition(topic, partition));
    }

    private double consumed(String group, String outcome) {
        var counter = meters.find(KafkaEventSubscriber.CONSUMED_METER).tag("group", group).tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double count(String name, String group) {
        var counter = meters.find(name).tag("group", group).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
