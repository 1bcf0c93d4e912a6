package io.cargohold.gate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePatternTest {

    @ParameterizedTest
    @CsvSource({
            "library/*, library/nginx, true",
            "library/*, library/nginx/extra, false",
            "library/*, other/nginx, false",
            "library/bad*, library/bad, true",
            "library/bad*, library/bad1, true",
            "library/bad*, library/good, false",
            "*/nginx, library/nginx, true",
            "*/nginx, nginx, false",
            "*-operator, prometheus-operator, true",
            "*-operator, prometheus/operator, false",
            "library/**, library, true",
            "library/**, library/nginx, true",
            "library/**, library/a/b/c, true",
            "library/**, librarya, false",
            "**/nginx, nginx, true",
            "**/nginx, a/b/nginx, true",
            "**/nginx, a/b/nginx2, false",
            "a/**/b, a/b, true",
            "a/**/b, a/x/y/b, true",
            "a/**/b, a/xb, false",
            "**, anything/at/all, true",
            "library/nginx, library/nginx, true",
            "library/nginx, library/nginx-alpine, false",
            "library/ng.nx, library/ngynx, false",
    })
    void matches_repositoryGlobs_asDocumented(String pattern, String repository, boolean matches) {
        assertThat(ImagePattern.parse(pattern).matches(repository, "latest")).isEqualTo(matches);
        assertThat(ImagePattern.parse(pattern).matchesRepository(repository)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource({
            "prometheus/node-exporter:v1.*, v1.7.0, true",
            "prometheus/node-exporter:v1.*, v2.0.0, false",
            "prometheus/node-exporter:v1.*, V1.7.0, false",
            "prometheus/node-exporter:*-alpine, 1.27-alpine, true",
            "prometheus/node-exporter:latest, latest, true",
            "prometheus/node-exporter:latest, latest2, false",
            "prometheus/*:v1.*, v1.0, true",
    })
    void matches_tagPart_limitsTags(String pattern, String tag, boolean matches) {
        assertThat(ImagePattern.parse(pattern).matches("prometheus/node-exporter", tag)).isEqualTo(matches);
    }

    @Test
    void matches_noTagPart_everyTag() {
        ImagePattern pattern = ImagePattern.parse("library/*");

        assertThat(pattern.hasTag()).isFalse();
        assertThat(pattern.matches("library/nginx", "1.27")).isTrue();
        assertThat(pattern.matches("library/nginx", "Any_Tag")).isTrue();
    }

    @Test
    void matchesRepository_taggedPattern_ignoresTag() {
        ImagePattern pattern = ImagePattern.parse("prometheus/node-exporter:v1.*");

        assertThat(pattern.hasTag()).isTrue();
        assertThat(pattern.matchesRepository("prometheus/node-exporter")).isTrue();
        assertThat(pattern.matchesRepository("prometheus/alertmanager")).isFalse();
        assertThat(pattern).hasToString("prometheus/node-exporter:v1.*");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''| a pattern must not be empty",
            "'  '| a pattern must not be empty",
            "library/***| '***' in a path segment: use '*' within a path segment or a tag, '**' across path segments",
            "lib**x| '**' must be a whole path segment, as in library/** or **/nginx",
            "library/**x| '**' must be a whole path segment, as in library/** or **/nginx",
            "Library/nginx| 'L': repository names are lower case",
            "library/ng+inx| '+' is not allowed in a repository: use a-z 0-9 . _ - between '/', and '*' or '**'",
            "library//nginx| has an empty path segment (a leading, trailing or doubled '/')",
            "/library| has an empty path segment (a leading, trailing or doubled '/')",
            "library/| has an empty path segment (a leading, trailing or doubled '/')",
            "library/-nginx| '-nginx' is not a repository path component (letters and digits joined by single '.', '_', '__' or runs of '-')",
            ":v1| the repository part before ':' is empty",
            "library/nginx:| the tag after ':' is empty (leave out ':' to match every tag)",
            "library/nginx:v1:2| ':' is not allowed in a tag: use A-Z a-z 0-9 . _ - and '*'",
            "library/nginx:**| '**' in a tag: tags have no path segments, use '*'",
            "library/nginx:v1/2| '/' is not allowed in a tag: use A-Z a-z 0-9 . _ - and '*'",
            "library/nginx:.v1| a tag cannot start with '.'",
            "library/nginx@sha256:abc| patterns name repositories and tags, not digests ('@')",
    })
    void parse_invalid_saysWhy(String pattern, String message) {
        assertThatThrownBy(() -> ImagePattern.parse(pattern))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void parse_tagLongerThanTheGrammarAllows_fails() {
        assertThatThrownBy(() -> ImagePattern.parse("library/nginx:" + "a".repeat(129)))
                .hasMessage("the tag part is longer than 128 characters");
    }
}
