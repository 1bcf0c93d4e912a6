package io.cargohold.coordinator.console;

import io.cargohold.config.CacheRule;
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
import java.util.function.Supplier;

/**
 * The read-only web console of the coordinator, on the admin port: the page at {@code /} and the
 * JSON it shows at {@link #SUMMARY}. The page is one static file; its script fetches the summary
 * and draws the tables and the egress chart. The summary holds a page of the repositories, asked for
 * with the control API's {@code maxResults} and {@code nextToken}.
 */
public final class Console {

    public static final String SUMMARY = "/api/v1/console/summary";
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final String PAGE = "console/index.html";
    private static final String JSON = "application/json";

    private Console() {
    }

    /** Serves the console on {@code root}; returns the timer id of the egress sampler. */
    public static long mount(Vertx vertx, Router root, NodeStatsBoard board, MetadataStore metadata,
                             Supplier<List<CacheRule>> rules) {
        EgressHistory history = new EgressHistory();
        ConsoleSummary summary = new ConsoleSummary(board, metadata, rules, history);
        Buffer page = page();
        root.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").end(page));
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

    private static Buffer page() {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
