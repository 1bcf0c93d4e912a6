package io.cargohold.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CacheRuleTest {

    @Test
    void upstreamRepository_dockerHubOneSegment_addsLibrary() {
        CacheRule hub = CacheRule.of("dockerhub", "https://registry-1.docker.io");

        assertThat(hub.upstreamRepository("nginx")).isEqualTo("library/nginx");
        assertThat(hub.upstreamRepository("bitnami/redis")).isEqualTo("bitnami/redis");
    }

    @Test
    void upstreamRepository_otherRegistry_keepsName() {
        CacheRule quay = CacheRule.of("quay", "https://quay.io");

        assertThat(quay.upstreamRepository("nginx")).isEqualTo("nginx");
    }

    @Test
    void upstreamRepository_withUpstreamPrefix_prependsIt() {
        CacheRule rule = new CacheRule("eu", "https://registry.eu.example", "mirror/team", null, null, null);

        assertThat(rule.upstreamRepository("app/api")).isEqualTo("mirror/team/app/api");
    }
}
