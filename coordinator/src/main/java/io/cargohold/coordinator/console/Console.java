package io.cargohold.coordinator.console;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.api.AdminAccess;
import io.cargohold.coordinator.api.ApiException;
import io.cargohold.coordinator.api.PageRequest;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The web console of the coordinator, on the admin port: the page at {@code /} with its stylesheet and
 * script, and the JSON of its overview at {@link #SUMMARY}. The files are static, with no build step; the
 * script browses and manages through the control API, as its user (the API decides what they may do).
 * The summary holds a page of the repositories, asked for with the control API's {@code maxResults}
 * and {@code nextToken}.
 */
public final class Console {

    public static final String SUMMARY = "/api/v1/console/summary";
    /** Who signed in and whether they are an admin: what the page shows them. */
    public static final String SESSION = "/api/v1/console/session";
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final String FILES = "console/";
    /** The console's files by path, with their content types. */
    private static final Map<String, String> STATIC = Map.of("/", "index.html", "/console.css", "console.css",
            "/console.js", "console.js");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");
    private static final String JSON = "application/json";

    private Console() {
    }

    /** Serves the console on {@code root}; returns the timer id of the egress sampler. */
    public static long mount(Vertx vertx, Router root, NodeStatsBoard board, MetadataStore metadata,
                             Supplier<List<CacheRule>> rules) {
        EgressHistory history = new EgressHistory();
        ConsoleSummary summary = new ConsoleSummary(board, metadata, rules, history);
        STATIC.forEach((path, file) -> {
            Buffer content = file(file);
            String type = TYPES.get(file.substring(file.lastIndexOf('.') + 1));
            root.get(path).handler(ctx -> ctx.response().putHeader("Content-Type", type)
                    .putHeader("Cache-Control", "no-cache").end(content));
        });
        root.get(SESSION).handler(ctx -> ctx.response().putHeader("Content-Type", JSON)
                .end(AdminAccess.session(ctx).encode()));
        root.get(SUMMARY).handler(ctx -> {
            PageRequest repositories;
            try {
                repositories = PageRequest.ofRepositories(ctx.queryParams());
            } catch (ApiException invalid) {
                ctx.response().setStatusCode(invalid.status()).putHeader("Content-Type", JSON)
                        .end(invalid.toJson().encode());
                return;
            }
            summary.summary(repositories).onComplete(done -> {
                if (done.succeeded()) {
                    ctx.response().putHeader("Content-Type", JSON).end(done.result().encode());
                } else {
                    ctx.fail(done.cause());
                }
            });
        });
        Runnable sample = () -> summary.totals().onSuccess(
                totals -> history.record(System.currentTimeMillis(), totals.getJsonObject("bytes")));
        sample.run();
        return vertx.setPeriodic(SAMPLE_EVERY.toMillis(), tick -> sample.run());
    }

    private static Buffer file(String name) {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(FILES + name)) {
            if (in == null) {
                throw new IllegalStateException(FILES + name + " is missing from the jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
