package io.cargohold.events.kafka;

import io.cargohold.spi.RegistryEvent;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTopicsTest {

    @Test
    void fromMap_noOverrides_defaults() {
        assertThat(KafkaTopics.fromMap(null)).isEqualTo(KafkaTopics.DEFAULTS);
        assertThat(KafkaTopics.fromMap(Map.of())).isEqualTo(new KafkaTopics("cargohold.pulls",
                "cargohold.cache-misses", "cargohold.images", "cargohold.audit"));
    }

    @Test
    void fromMap_someOverrides_replacesOnlyThose() {
        KafkaTopics topics = KafkaTopics.fromMap(Map.of("pulls", "p", "audit", "a"));

        assertThat(topics).isEqualTo(new KafkaTopics("p", "cargohold.cache-misses", "cargohold.images", "a"));
    }

    @Test
    void fromMap_unknownKeyOrBlankName_rejected() {
        assertThatThrownBy(() -> KafkaTopics.fromMap(Map.of("pull", "p")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pull'");
        assertThatThrownBy(() -> KafkaTopics.fromMap(Map.of("images", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kafka.topics.images");
    }

    @Test
    void topicFor_eachType_goesToItsAudience() {
        KafkaTopics topics = new KafkaTopics("p", "m", "i", "a");

        assertThat(topics.topicFor(RegistryEvent.PULL)).contains("p");
        assertThat(topics.topicFor(RegistryEvent.CACHE_MISS)).contains("m");
        assertThat(topics.topicFor(RegistryEvent.IMAGE_CACHED)).contains("i");
        assertThat(topics.topicFor(RegistryEvent.TAG_REFRESHED)).contains("i");
        assertThat(topics.topicFor(RegistryEvent.IMAGE_EXPIRED)).contains("i");
        assertThat(topics.topicFor(RegistryEvent.UPSTREAM_ERROR)).contains("i");
        assertThat(topics.topicFor(RegistryEvent.AUDIT)).contains("a");
        assertThat(topics.topicFor("something-new")).isEmpty();
        assertThat(topics.topicFor(null)).isEmpty();
    }
}
