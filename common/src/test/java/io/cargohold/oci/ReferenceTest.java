package io.cargohold.oci;

import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceTest {

    private static final String HEX = "a".repeat(64);

    @Test
    void parse_digest_isDigest() {
        assertThat(Reference.parse("sha256:" + HEX)).isEqualTo(new Digest("sha256", HEX));
    }

    @Test
    void parse_tag_isTag() {
        assertThat(Reference.parse("1.27-alpine")).isEqualTo(new Tag("1.27-alpine"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "md5:aaaa", "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sha256", ":", "sha512:aaaa",
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaag", "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`", "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void parse_malformedDigest_digestInvalid(String value) {
        assertThatThrownBy(() -> Digest.parse(value)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Library/nginx", "a//b", "../etc", "a/../b", "-a", "a-", "a..b", "/a", "a/", ""})
    void repositoryName_invalid_nameInvalid(String value) {
        assertThatThrownBy(() -> RepositoryName.parse(value)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo(OciErrorCode.NAME_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "library/nginx", "a.b_c__d--e/f", "dockerhub/bitnami/redis-cluster"})
    void repositoryName_valid_accepted(String value) {
        assertThat(RepositoryName.parse(value).value()).isEqualTo(value);
    }

    @Test
    void repositoryName_randomNames_acceptedExactlyWhenTheGrammarMatches() {
        Pattern grammar = Pattern.compile(RepositoryName.COMPONENT + "(?:/" + RepositoryName.COMPONENT + ")*");
        Random random = new Random(13);
        String alphabet = "a0._-/Z";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int n = random.nextInt(9); n > 0; n--) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = name.toString();
            boolean accepted;
            try {
                RepositoryName.parse(value);
                accepted = true;
            } catch (RegistryException e) {
                accepted = false;
            }
            assertThat(accepted).as(value).isEqualTo(grammar.matcher(value).matches());
        }
    }

    @Test
    void repositoryName_over255_nameInvalid() {
        assertThatThrownBy(() -> RepositoryName.parse("a".repeat(256))).isInstanceOf(RegistryException.class);
    }

    @Test
    void digest_matches_comparesContent() {
        byte[] content = "hello".getBytes();
        Digest digest = Digest.sha256(content);

        assertThat(digest.matches(content)).isTrue();
        assertThat(digest.matches("hellO".getBytes())).isFalse();
        assertThat(digest.value())
                .isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }
}
