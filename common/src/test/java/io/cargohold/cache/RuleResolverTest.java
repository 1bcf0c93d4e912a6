package io.cargohold.cache;

import io.cargohold.config.CacheRule;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleResolverTest {

    private static final CacheRule HUB = rule("dockerhub", "https://registry-1.docker.io");
    private static final CacheRule QUAY = rule("quay", "https://quay.io");
    private static final CacheRule LOCAL = rule("local", "http://127.0.0.1:5050");
    private static final RuleResolver RULES = new RuleResolver(List.of(HUB, QUAY, LOCAL));

    @Test
    void resolve_prefixedName_usesThatRule() {
        ProxyTarget target = RULES.resolve(RepositoryName.parse("quay/prometheus/node-exporter"));

        assertThat(target.rule()).isEqualTo(QUAY);
        assertThat(target.name()).isEqualTo("quay/prometheus/node-exporter");
        assertThat(target.upstreamRepository()).isEqualTo("prometheus/node-exporter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker.io", "registry-1.docker.io", "index.docker.io", "Docker.IO"})
    void resolve_containerdNamespaceOfDockerHub_anyAliasPicksTheDockerHubRule(String namespace) {
        ProxyTarget target = RULES.resolve(RepositoryName.parse("library/nginx"), namespace);

        assertThat(target.rule()).isEqualTo(HUB);
        assertThat(target.name()).isEqualTo("dockerhub/library/nginx");
        assertThat(target.upstreamRepository()).isEqualTo("library/nginx");
    }

    @Test
    void resolve_containerdNamespaceWithPort_matchesTheUpstreamsHostAndPort() {
        ProxyTarget target = RULES.resolve(RepositoryName.parse("team/app"), "127.0.0.1:5050");

        assertThat(target.rule()).isEqualTo(LOCAL);
        assertThat(target.name()).isEqualTo("local/team/app");
    }

    @Test
    void resolve_namespaceEvenWhenTheNameLooksPrefixed_isTheUpstreamsOwnName() {
        ProxyTarget target = RULES.resolve(RepositoryName.parse("quay/tool"), "docker.io");

        assertThat(target.rule()).isEqualTo(HUB);
        assertThat(target.upstreamRepository()).isEqualTo("quay/tool");
    }

    @Test
    void resolve_unknownNamespace_isNameUnknownSayingWhichRuleToAdd() {
        assertThatThrownBy(() -> RULES.resolve(RepositoryName.parse("library/nginx"), "ghcr.io"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
                    assertThat(e.getMessage()).isEqualTo(
                            "no rule serves registry ghcr.io (ns); add a rule whose upstreamUrl is https://ghcr.io");
                    assertThat(e.detail()).isEqualTo("ghcr.io/library/nginx");
                });
    }

    @Test
    void resolve_dockerHubNamespaceWithoutADockerHubRule_suggestsItsRegistryHost() {
        RuleResolver rules = new RuleResolver(List.of(QUAY));

        assertThatThrownBy(() -> rules.resolve(RepositoryName.parse("library/nginx"), "docker.io"))
                .hasMessageEndingWith("add a rule whose upstreamUrl is https://registry-1.docker.io");
    }

    @Test
    void resolve_namespaceTwoRulesServe_theLongerPrefixThenTheFirstAlphabetically() {
        CacheRule hubB = rule("hub-b", "https://registry-1.docker.io");
        CacheRule hubA = rule("hub-a", "https://index.docker.io");

        assertThat(new RuleResolver(List.of(hubB, HUB, hubA)).resolve(RepositoryName.parse("library/nginx"),
                "docker.io").rule()).isEqualTo(HUB);
        assertThat(new RuleResolver(List.of(hubB, hubA)).resolve(RepositoryName.parse("library/nginx"),
                "docker.io").rule()).isEqualTo(hubA);
    }

    @Test
    void resolve_unprefixedNameWithoutNamespace_goesToTheDockerHubRuleAsTheDockerDaemonMeansIt() {
        ProxyTarget target = RULES.resolve(RepositoryName.parse("nginx"));

        assertThat(target.rule()).isEqualTo(HUB);
        assertThat(target.name()).isEqualTo("dockerhub/library/nginx");
        assertThat(target.upstreamRepository()).isEqualTo("library/nginx");
    }

    @Test
    void resolve_unprefixedNameWithAConfiguredDefault_goesToThatRule() {
        RuleResolver rules = new RuleResolver(List.of(HUB, QUAY, LOCAL), "local");

        assertThat(rules.resolve(RepositoryName.parse("team/app")).rule()).isEqualTo(LOCAL);
    }

    @Test
    void resolve_unprefixedNameWithNoDockerHubRuleAndNoDefault_isNameUnknown() {
        RuleResolver rules = new RuleResolver(List.of(QUAY, LOCAL));

        assertThatThrownBy(() -> rules.resolve(RepositoryName.parse("library/nginx")))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
                    assertThat(e.getMessage()).isEqualTo("no rule's prefix matches library/nginx: no rule serves "
                            + "names without a prefix; pull it as <prefix>/library/nginx, or set mirror.defaultRule "
                            + "to the prefix of the rule that should serve such names (the Docker daemon's "
                            + "registry-mirrors send them)");
                });
    }

    @Test
    void resolve_unprefixedNameWithTwoDockerHubRules_isNameUnknownSayingWhy() {
        RuleResolver rules = new RuleResolver(List.of(HUB, rule("hub2", "https://registry-1.docker.io")));

        assertThatThrownBy(() -> rules.resolve(RepositoryName.parse("nginx")))
                .hasMessageContaining("2 rules have Docker Hub as upstream, so none serves names without a prefix")
                .hasMessageContaining("set mirror.defaultRule");
    }

    @Test
    void resolve_defaultRuleRemovedSinceStartUp_isNameUnknownNamingTheSetting() {
        RuleResolver rules = new RuleResolver(List.of(HUB, LOCAL), "local");
        rules.replace(List.of(HUB));

        assertThatThrownBy(() -> rules.resolve(RepositoryName.parse("team/app")))
                .hasMessageContaining("mirror.defaultRule local names no rule any more");
    }

    private static CacheRule rule(String prefix, String upstreamUrl) {
        return new CacheRule(prefix, upstreamUrl, "", null, null, null);
    }
}
