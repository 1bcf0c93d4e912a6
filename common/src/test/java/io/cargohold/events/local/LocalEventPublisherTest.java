package io.cargohold.events.local;

import io.cargohold.spi.RegistryEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

@ExtendWith(VertxExtension.class)
class LocalEventPublisherTest {

    private static final String DIGEST = "sha256:" + "d".repeat(64);

    @Test
    void publish_localConsumer_receivesEachEventAsJson(Vertx vertx, VertxTestContext test) {
        RegistryEvent pull = RegistryEvent.of(RegistryEvent.PULL, "up/library/app", "1", DIGEST,
                "application/vnd.oci.image.manifest.v1+json", 512, "edge-1");
        RegistryEvent miss = RegistryEvent.of(RegistryEvent.CACHE_MISS, "up/library/app", null, DIGEST, null, 0,
                "edge-1");
        List<RegistryEvent> received = new CopyOnWriteArrayList<>();
        Checkpoint both = test.checkpoint(2);
        vertx.eventBus().<JsonObject>consumer(LocalEventPublisher.ADDRESS, message -> {
            received.add(RegistryEvent.fromJson(message.body()));
            both.flag();
            if (received.size() == 2) {
                test.verify(() -> assertThat(received).containsExactly(pull, miss));
            }
        }).completion().onComplete(test.succeeding(registered -> {
            LocalEventPublisher publisher = new LocalEventPublisher(vertx);
            publisher.publish(pull);
            publisher.publish(miss);
        }));
    }

    @Test
    void publish_severalConsumers_eachReceivesTheEvent(Vertx vertx, VertxTestContext test) {
        RegistryEvent cached = RegistryEvent.of(RegistryEvent.IMAGE_CACHED, "up/library/app", "1", DIGEST,
                "application/vnd.oci.image.index.v1+json", 1024, "edge-2");
        Checkpoint each = test.checkpoint(3);
        var registrations = IntStream.range(0, 3)
                .mapToObj(i -> vertx.eventBus().<JsonObject>consumer(LocalEventPublisher.ADDRESS, message -> {
                    test.verify(() -> assertThat(message.body().getString("type")).isEqualTo("image-cached"));
                    each.flag();
                }).completion())
                .toList();
        Future.all(registrations)
                .onComplete(test.succeeding(ready -> new LocalEventPublisher(vertx).publish(cached)));
    }

    @Test
    void publish_noConsumer_doesNotThrow(Vertx vertx) {
        RegistryEvent event = RegistryEvent.of(RegistryEvent.TAG_REFRESHED, "up/library/app", "1", DIGEST, null,
                0, "refresher");
        assertThatCode(() -> new LocalEventPublisher(vertx).publish(event)).doesNotThrowAnyException();
    }

    @Test
    void publish_afterVertxClosed_doesNotThrow(VertxTestContext test) {
        Vertx closed = Vertx.vertx();
        RegistryEvent event = RegistryEvent.of(RegistryEvent.PULL, "up/library/app", "1", DIGEST, null, 0, "edge");
        closed.close().onComplete(test.succeeding(v -> test.verify(() -> {
            assertThatCode(() -> new LocalEventPublisher(closed).publish(event)).doesNotThrowAnyException();
            test.completeNow();
        })));
    }
}
