package io.cargohold.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of {@code java -jar cargohold.jar ctl --url URL ...}, its output in files under a test's directory. */
record CtlRun(int exit, String out, String err) {

    static CtlRun of(Path dir, String url, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", CargoholdProcess.JAR.toAbsolutePath().toString(), "ctl", "--url", url));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "ctl", ".out");
        Path stderr = Files.createTempFile(dir, "ctl", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("ctl did not finish: " + command);
        }
        return new CtlRun(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
