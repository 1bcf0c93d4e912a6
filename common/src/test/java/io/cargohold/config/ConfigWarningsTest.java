package io.cargohold.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigWarningsTest {

    @Test
    void of_rulesWithDistinctUpstreams_none() {
        assertThat(ConfigWarnings.of(config(null, CacheRule.of("hub", "https://registry-1.docker.io"),
                CacheRule.of("quay", "https://quay.io")))).isEmpty();
    }

    @Test
    void of_twoRulesWithOneUpstream_namesThemAndTheOneMirrorRequestsGoTo() {
        List<String> warnings = ConfigWarnings.of(config(null, CacheRule.of("internal", "https://r.example:8443"),
                CacheRule.of("quay", "https://quay.io"), CacheRule.of("int", "https://r.example:8443")));

        assertThat(warnings).containsExactly("rules internal, int have the same upstream r.example:8443: mirror "
                + "requests with ns=r.example:8443 go to internal (the longest prefix, then the first alphabetically); "
                + "the others serve only their prefixed names");
    }

    @Test
    void of_twoDockerHubRulesUnderAliasesWithoutDefault_alsoSaysUnprefixedNamesFindNoRule() {
        List<String> warnings = ConfigWarnings.of(config(null, CacheRule.of("hub-b", "https://registry-1.docker.io"),
                CacheRule.of("hub-a", "https://index.docker.io")));

        assertThat(warnings).singleElement().asString()
                .startsWith("rules hub-a, hub-b have the same upstream docker.io: mirror requests with ns=docker.io "
                        + "go to hub-a")
                .endsWith("unprefixed names without ns (the Docker daemon's registry-mirrors) find no rule until "
                        + "mirror.defaultRule names one");
    }

    @Test
    void of_twoDockerHubRulesWithADefault_onlyTheTieBreak() {
        assertThat(ConfigWarnings.of(config("hub-b", CacheRule.of("hub-b", "https://registry-1.docker.io"),
                CacheRule.of("hub-a", "https://index.docker.io")))).singleElement().asString()
                .doesNotContain("mirror.defaultRule");
    }

    private static CargoholdConfig config(String mirrorDefault, CacheRule... rules) {
        return new CargoholdConfig(null, null, null, null, null, null, List.of(rules), null,
                new CargoholdConfig.MirrorConfig(mirrorDefault), null);
    }
}
