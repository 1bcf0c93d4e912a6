package io.cargohold.upstream.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuthChallengeTest {

    @Test
    void parse_dockerHubBearer_keepsQuotedScopeWithComma() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/nginx:pull,push\"");

        assertThat(challenges).hasSize(1);
        AuthChallenge bearer = challenges.get(0);
        assertThat(bearer.isBearer()).isTrue();
        assertThat(bearer.param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(bearer.param("service")).isEqualTo("registry.docker.io");
        assertThat(bearer.param("scope")).isEqualTo("repository:library/nginx:pull,push");
    }

    @Test
    void parse_basic_returnsRealm() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Basic realm=\"cargohold-test\"");

        assertThat(challenges).singleElement().satisfies(c -> {
            assertThat(c.isBasic()).isTrue();
            assertThat(c.param("realm")).isEqualTo("cargohold-test");
        });
    }

    @Test
    void parse_twoChallengesInOneHeader_returnsBoth() {
        List<AuthChallenge> challenges = AuthChallenge.parse(
                "Basic realm=\"a, b\", Bearer realm=\"https://t/token\", service=\"reg\", error=\"invalid_token\"");

        assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("Basic", "Bearer");
        assertThat(challenges.get(0).param("realm")).isEqualTo("a, b");
        assertThat(challenges.get(1).params()).containsEntry("realm", "https://t/token")
                .containsEntry("service", "reg").containsEntry("error", "invalid_token");
    }

    @Test
    void parse_unquotedValuesAndSpaces_parsed() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Bearer  realm = https://t/token ,service=reg");

        assertThat(challenges).singleElement().satisfies(c -> {
            assertThat(c.param("realm")).isEqualTo("https://t/token");
            assertThat(c.param("service")).isEqualTo("reg");
        });
    }

    @Test
    void parse_escapedQuoteInValue_unescaped() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Basic realm=\"say \\\"hi\\\", please\"");

        assertThat(challenges.get(0).param("realm")).isEqualTo("say \"hi\", please");
    }

    @Test
    void parse_mixedCaseNames_lookupIgnoresCase() {
        List<AuthChallenge> challenges = AuthChallenge.parse("bearer Realm=\"x\",SERVICE=\"y\"");

        assertThat(challenges.get(0).isBearer()).isTrue();
        assertThat(challenges.get(0).param("realm")).isEqualTo("x");
        assertThat(challenges.get(0).param("Service")).isEqualTo("y");
    }

    @Test
    void parse_schemeWithoutParams_returnsEmptyParams() {
        assertThat(AuthChallenge.parse("Negotiate, Basic realm=r")).extracting(AuthChallenge::scheme)
                .containsExactly("Negotiate", "Basic");
    }

    @Test
    void parse_garbageOrUnterminatedQuote_doesNotFail() {
        assertThat(AuthChallenge.parse(null)).isEmpty();
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse("=,,\"")).allSatisfy(c -> assertThat(c.scheme()).isNotEmpty());
        assertThat(AuthChallenge.parse("Bearer realm=\"https://t/token").get(0).param("realm"))
                .isEqualTo("https://t/token");
    }

    @Test
    void parseAll_severalHeaderValues_concatenated() {
        assertThat(AuthChallenge.parseAll(List.of("Basic realm=a", "Bearer realm=b")))
                .extracting(AuthChallenge::scheme).containsExactly("Basic", "Bearer");
    }
}
