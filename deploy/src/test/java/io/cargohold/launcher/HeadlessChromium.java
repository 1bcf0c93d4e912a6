package io.cargohold.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol, for tests that click through a page: a child
 * process with {@code --remote-debugging-port=0}, one WebSocket (java.net.http) to its first page, and
 * the protocol's {@code Page.navigate}, {@code Runtime.evaluate}, {@code Emulation.setDeviceMetricsOverride}
 * and {@code Page.captureScreenshot}. Every wait is bounded; {@link #close()} stops the browser and its
 * helper processes by PID.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://([^/]+)/");

    private final Process process;
    private final Path log;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path log, WebSocket socket) {
        this.process = process;
        this.log = log;
        this.socket = socket;
    }

    /** Starts Chromium with a profile under {@code dir} and a window of {@code width} x {@code height}. */
    static HeadlessChromium start(Path dir, int width, int height) throws Exception {
        Path log = dir.resolve("chromium-devtools.log");
        Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + dir.resolve("chromium-flow-profile"), "--window-size=" + width + "," + height,
                "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            String hostPort = devToolsAddress(process, log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
            URI list = URI.create("http://" + hostPort + "/json/list");
            JsonArray targets = new JsonArray(http.send(HttpRequest.newBuilder(list).timeout(CALL_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String page = targets.stream().map(JsonObject.class::cast).filter(t -> "page".equals(t.getString("type")))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no page target: " + targets))
                    .getString("webSocketDebuggerUrl");
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(CALL_TIMEOUT)
                    .buildAsync(URI.create(page), new Messages(message -> self[0].receive(message)))
                    .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, log, socket);
            self[0].call("Page.enable", new JsonObject());
            self[0].call("Runtime.enable", new JsonObject());
            return self[0];
        } catch (Exception | AssertionError e) {
            stop(process);
            throw e;
        }
    }

    /** Chromium prints where its DevTools listen on standard error once it is up. */
    private static String devToolsAddress(Process process, Path log) throws Exception {
        BufferedReader stderr = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = stderr.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        drain(stderr);
                        return matcher.group(1);
                    }
                }
                throw new IllegalStateException("chromium exited without DevTools: " + Files.readString(log));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return address.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Keeps reading Chromium's standard error so that it never blocks on a full pipe. */
    private static void drain(BufferedReader stderr) {
        Thread reader = new Thread(() -> {
            try {
                while (stderr.readLine() != null) {
                    // discarded: the start-up lines are in the log
                }
            } catch (IOException closed) {
                // the browser stopped
            }
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends one protocol command; answers its result, or fails with the protocol's error. */
    JsonObject call(String method, JsonObject params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
                .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonObject response = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + response.getJsonObject("error"));
        }
        return response.getJsonObject("result", new JsonObject());
    }

    private void receive(String message) {
        JsonObject json = new JsonObject(message);
        Integer id = json.getInteger("id");
        if (id != null) {
            CompletableFuture<JsonObject> answer = pending.remove(id);
            if (answer != null) {
                answer.complete(json);
            }
        }
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", new JsonObject().put("url", url));
    }

    /** The value of a JavaScript expression in the page (a promise's once it settles); a thrown error fails. */
    Object evaluate(String expression) throws Exception {
        JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
                .put("awaitPromise", true).put("returnByValue", true));
        if (result.containsKey("exceptionDetails")) {
            throw new IllegalStateException("the page threw on " + expression + ": "
                    + result.getJsonObject("exceptionDetails").encode());
        }
        return result.getJsonObject("result").getValue("value");
    }

    String text(String expression) throws Exception {
        Object value = evaluate(expression);
        return value == null ? null : value.toString();
    }

    /** The value of an expression that makes an array, as JSON. */
    JsonArray json(String expression) throws Exception {
        return new JsonArray(text("JSON.stringify(" + expression + ")"));
    }

    /** Waits until {@code condition} (JavaScript) is true in the page, up to {@code timeout}; fails telling {@code describe}. */
    void await(String condition, Duration timeout, String describe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(evaluate("!!(" + condition + ")"))) {
                    return;
                }
            } catch (IllegalStateException navigating) {
                // the page is being replaced: ask again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not true in " + timeout.toSeconds() + " s: " + condition + "; " + text(describe));
    }

    /** Lays the page out as a screen of {@code width} x {@code height} CSS pixels (a phone's when mobile). */
    void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", mobile));
    }

    void screenshot(Path file) throws Exception {
        String png = call("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
        Files.write(file, Base64.getDecoder().decode(png));
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        socket.abort();
        stop(process);
    }

    /** Stops Chromium's helper processes and then Chromium, by PID. */
    private static void stop(Process process) {
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Joins a message's frames and hands whole messages on. */
    private static final class Messages implements WebSocket.Listener {

        private final Consumer<String> receiver;
        private final StringBuilder partial = new StringBuilder();

        Messages(Consumer<String> receiver) {
            this.receiver = receiver;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                receiver.accept(message);
            }
            webSocket.request(1);
            return null;
        }
    }
}
