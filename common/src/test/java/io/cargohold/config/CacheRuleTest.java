package io.cargohold.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CacheRuleTest {

    @Test
    void upstreamRepository_dockerHubOneSegment_addsLibrary() {
        CacheRule hub = new CacheRule("dockerhub", "https://registry-1.docker.io", null, null, null);

        assertThat(hub.upstreamRepository("nginx")).isEqualTo("library/nginx");
        assertThat(hub.upstreamRepository("bitnami/redis")).isEqualTo("bitnami/redis");
    }

    @Test
    void upstreamRepository_otherRegistry_keepsName() {
        CacheRule quay = new CacheRule("quay", "https://quay.io", null, null, null);

        assertThat(quay.upstreamRepository("nginx")).isEqualTo("nginx");
    }

    @Test
    void upstreamRepository_withUpstreamPrefix_prependsIt() {
        CacheRule rule = new CacheRule("eu", "https://registry.eu.example", "mirror/team", null, null);

        assertThat(rule.upstreamRepository("app/api")).isEqualTo("mirror/team/app/api");
    }
}
