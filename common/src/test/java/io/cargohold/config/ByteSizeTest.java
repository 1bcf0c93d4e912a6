package io.cargohold.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1024, 1024",
        "'512B', 512",
        "'1KiB', 1024",
        "'512MiB', 536870912",
        "'20GiB', 21474836480",
        "' 20 GiB ', 21474836480",
        "'2TiB', 2199023255552",
        "'5KB', 5000",
        "'20GB', 20000000000",
        "'3TB', 3000000000000",
    })
    void parse_validSize_answersBytes(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GiB", "-1", "1.5GiB", "20gib", "20Mb", "20 G", "twenty", "20GiB extra"})
    void parse_invalidSize_failsNamingTheValueAndTheUnits(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a size")
                .hasMessageContaining("512MiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9000000TiB"})
    void parse_overflowingSize_fails(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
    }

    @Test
    void parse_null_failsSayingItIsMissing() {
        assertThatThrownBy(() -> ByteSize.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing");
    }
}
