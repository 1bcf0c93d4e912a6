package io.cargohold.edge.proxy;

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
    void resolve_unknownNamespace_isNameUnknownNamingIt() {
        assertThatThrownBy(() -> RULES.resolve(RepositoryName.parse("library/nginx"), "ghcr.io"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
                    assertThat(e.detail()).isEqualTo("ghcr.io/library/nginx");
                });
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
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN));
    }

    private static CacheRule rule(String prefix, String upstreamUrl) {
        return new CacheRule(prefix, upstreamUrl, "", null, null, null);
    }
}
