package io.cargohold.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cargohold validate}, run in this JVM. */
class ValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void validate_twoRulesWithOneUpstream_warnsAndStillPasses() throws IOException {
        Path config = Files.writeString(dir.resolve("cargohold.yml"), """
                rules:
                  - { prefix: internal, upstreamUrl: "http://127.0.0.1:9" }
                  - { prefix: int, upstreamUrl: "http://127.0.0.1:9" }
                """);

        Run run = validate(config);

        assertThat(run.exit()).isZero();
        assertThat(run.stderr()).contains("cargohold: warning: rules internal, int have the same upstream 127.0.0.1:9: "
                + "mirror requests with ns=127.0.0.1:9 go to internal");
    }

    @Test
    void validate_distinctUpstreams_noWarning() throws IOException {
        Path config = Files.writeString(dir.resolve("cargohold.yml"), """
                rules:
                  - { prefix: a, upstreamUrl: "http://127.0.0.1:9" }
                  - { prefix: b, upstreamUrl: "http://127.0.0.1:10" }
                """);

        Run run = validate(config);

        assertThat(run.exit()).isZero();
        assertThat(run.stderr()).doesNotContain("warning");
    }

    private record Run(int exit, String stderr) {
    }

    private static Run validate(Path config) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new ValidateCommand()).execute("--config", config.toString());
            return new Run(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }
}
