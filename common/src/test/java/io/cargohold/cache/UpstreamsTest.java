package io.cargohold.cache;

import io.cargohold.config.CacheRule;
import io.cargohold.spi.UpstreamClient;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamsTest {

    private final List<CacheRule> made = new ArrayList<>();
    private final Upstreams upstreams = new Upstreams(rule -> {
        made.add(rule);
        return (UpstreamClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{UpstreamClient.class}, (proxy, method, args) -> null);
    });

    @Test
    void client_sameRule_isMadeOnceAndReused() {
        CacheRule rule = version(1);
        assertThat(upstreams.client(rule)).isSameAs(upstreams.client(rule));
        assertThat(made).containsExactly(rule);
    }

    @Test
    void client_ruleChangedManyTimes_keepsTheTwoNewestVersionsOnly() {
        for (int i = 1; i <= 5; i++) {
            upstreams.client(version(i));
        }
        made.clear();

        upstreams.client(version(5));
        upstreams.client(version(4));
        assertThat(made).as("the two newest versions are kept").isEmpty();
        upstreams.client(version(1));
        assertThat(made).as("an old version was forgotten and is made again").containsExactly(version(1));
    }

    private static CacheRule version(int n) {
        return new CacheRule("up", "https://registry.example", null, "env:CREDENTIALS_" + n, null, null);
    }
}
