package io.cargohold.gate;

import io.cargohold.gate.AccessList.Refusal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessListTest {

    private final AccessList lists = AccessList.of("dockerhub", List.of("library/*", "prometheus/node-exporter:v1.*"),
            List.of("library/bad*", "library/nginx:*-rc*"));

    @Test
    void check_allowedName_isNotRefused() {
        assertThat(lists.check("library/app", "1.0")).isEmpty();
        assertThat(lists.check("prometheus/node-exporter", "v1.7.0")).isEmpty();
    }

    @Test
    void check_deniedName_namesRuleAndPattern() {
        Refusal refusal = lists.check("library/bad1", "latest").orElseThrow();

        assertThat(refusal).isEqualTo(new Refusal(Refusal.Kind.DENIED, "dockerhub", "library/bad*"));
        assertThat(refusal.message()).isEqualTo("denied by rule 'dockerhub' pattern 'library/bad*'");
    }

    @Test
    void check_denyWinsOverAllow_deniedTagRefused() {
        assertThat(lists.check("library/nginx", "1.27-rc1").orElseThrow().pattern()).isEqualTo("library/nginx:*-rc*");
        assertThat(lists.check("library/nginx", "1.27")).isEmpty();
    }

    @Test
    void check_nameOutsideAllow_refusedNamingTheList() {
        Refusal refusal = lists.check("other/app", "latest").orElseThrow();

        assertThat(refusal.kind()).isEqualTo(Refusal.Kind.NOT_ALLOWED);
        assertThat(refusal.pattern()).isNull();
        assertThat(refusal.message()).isEqualTo("not in the allow list of rule 'dockerhub'");
    }

    @Test
    void check_tagOutsideTaggedAllowPattern_refused() {
        assertThat(lists.check("prometheus/node-exporter", "v2.0.0")).isPresent();
    }

    @Test
    void check_byDigest_matchedAgainstRepositoryOnly() {
        // the platform manifests and blobs of an allowed tag are pulled by digest
        assertThat(lists.check("prometheus/node-exporter", null)).isEmpty();
        assertThat(lists.check("library/app", null)).isEmpty();
        assertThat(lists.check("other/app", null)).isPresent();
    }

    @Test
    void check_byDigest_onlyTaglessDenyPatternsRefuse() {
        assertThat(lists.check("library/bad1", null).orElseThrow().pattern()).isEqualTo("library/bad*");
        assertThat(lists.check("library/nginx", null)).isEmpty();
    }

    @Test
    void check_noAllowList_everythingButDenied() {
        AccessList denyOnly = AccessList.of("quay", null, List.of("**/miner*"));

        assertThat(denyOnly.allowsEverything()).isFalse();
        assertThat(denyOnly.check("any/thing", "1")).isEmpty();
        assertThat(denyOnly.check("evil/org/miner2", "1").orElseThrow().message())
                .isEqualTo("denied by rule 'quay' pattern '**/miner*'");
    }

    @Test
    void allowsEverything_noLists_true() {
        assertThat(AccessList.of("quay", List.of(), null).allowsEverything()).isTrue();
        assertThat(AccessList.of("quay", List.of(), null).check("a/b", null)).isEmpty();
    }

    @Test
    void of_invalidPattern_fails() {
        assertThatThrownBy(() -> AccessList.of("quay", List.of("Bad"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
