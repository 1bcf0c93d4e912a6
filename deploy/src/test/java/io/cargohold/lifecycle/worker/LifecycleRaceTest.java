package io.cargohold.lifecycle.worker;

import io.cargohold.config.LifecycleConfig;
import io.cargohold.edge.EdgeHarness;
import io.cargohold.events.local.LocalEventPublisher;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.MediaType;
import io.cargohold.spi.Repository;
import io.cargohold.testkit.Await;
import io.cargohold.testkit.TestImages;
import io.cargohold.testkit.UpstreamRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.cargohold.testkit.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls through a real edge node (from a real upstream registry) while the lifecycle worker
 * expires images and collects blobs as fast as it can, with grace periods of a fraction of a
 * second, for a bounded time: no pull ever fails with BLOB_UNKNOWN, and the kept images stay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleRaceTest {

    private static final Duration RACE = Duration.ofSeconds(12);
    private static final String REPO = "up/library/app";
    private static final List<String> KEPT = List.of("keep-1", "keep-2");
    private static final List<String> CHURNED = List.of("old-1", "old-2", "old-3");
    private static final String KEEP_NEWEST_OLD = """
            {"rules": [{"rulePriority": 1, "description": "Keep only one old-* image: the others churn",
              "selection": {"tagStatus": "tagged", "tagPrefixList": ["old"], "countType": "imageCountMoreThan",
                            "countNumber": 1},
              "action": {"type": "expire"}}]}""";

    @TempDir
    Path layout;
    private UpstreamRegistry upstream;
    private EdgeHarness edge;

    @AfterEach
    void stop() {
        Await.closeAll(edge, upstream);
    }

    @Test
    void pullsDuringExpiryAndCollection_neverFailWithBlobUnknownAndKeptImagesStay() throws Exception {
        upstream = UpstreamRegistry.anonymous();
        int seed = 70;
        for (String tag : concat(KEPT, CHURNED)) {
            upstream.push(TestImages.writeImage(layout, tag, seed++, 64 * 1024, 16 * 1024), "library/app:" + tag);
        }
        edge = EdgeHarness.builder().rule(EdgeHarness.rule("up", upstream.url())).start();
        for (String tag : concat(KEPT, CHURNED)) {
            assertThat(await(pull(tag))).as("first pull of %s", tag).isEqualTo("ok");
        }
        Repository repository = await(edge.metadata().repository(REPO)).orElseThrow();
        await(edge.metadata().putRepository(repository.withSettings(
                repository.settings().withLifecyclePolicy(KEEP_NEWEST_OLD))));
        MeterRegistry meters = new SimpleMeterRegistry();
        LifecycleWorker worker = new LifecycleWorker(edge.metadata(), edge.blobStore(),
                new LocalEventPublisher(edge.vertx()), meters,
                new LifecycleConfig(null, Duration.ofMillis(300), Duration.ofMillis(500), null), List::of, "race",
                Clock.systemUTC());

        long deadline = System.nanoTime() + RACE.toNanos();
        AtomicInteger runs = new AtomicInteger();
        Context context = edge.vertx().getOrCreateContext();
        Future<Void> running = runUntil(worker, context, deadline, runs);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger pulls = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<String> pulled = List.of(KEPT.get(0), KEPT.get(1), "old", "old");
        for (String what : pulled) {
            clients.submit(() -> {
                for (int i = 0; System.nanoTime() < deadline; i++) {
                    String tag = what.equals("old") ? CHURNED.get(i % CHURNED.size()) : what;
                    String outcome = await(pull(tag));
                    pulls.incrementAndGet();
                    if (!outcome.equals("ok")) {
                        failures.add(tag + ": " + outcome);
                    }
                }
            });
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(RACE.toSeconds() + 60, TimeUnit.SECONDS)).isTrue();
        await(running);

        assertThat(failures).as("failed pulls of %d", pulls.get()).isEmpty();
        assertThat(pulls.get()).isGreaterThan(20);
        assertThat(runs.get()).isGreaterThan(3);
        assertThat(meters.counter("cargohold.lifecycle.expired").count()).as("images expired").isPositive();
        // Under load the churned images may be re-pulled within every grace period; once pulls stop, the
        // blobs of the expired ones must go.
        for (int i = 0; i < 10 && meters.counter("cargohold.gc.blobs.deleted").count() == 0; i++) {
            Thread.sleep(400);
            await(runOnce(worker, context));
        }
        assertThat(meters.counter("cargohold.gc.blobs.deleted").count()).as("blobs collected").isPositive();
        assertThat(await(edge.metadata().tags(REPO))).containsAll(KEPT);
    }

    /** Runs the worker back to back on one context until {@code deadline}. */
    private static Future<Void> runUntil(LifecycleWorker worker, Context context, long deadline, AtomicInteger runs) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> loop(worker, deadline, runs, done));
        return done.future();
    }

    private static Future<Void> runOnce(LifecycleWorker worker, Context context) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> worker.run().<Void>mapEmpty().onComplete(done));
        return done.future();
    }

    private static void loop(LifecycleWorker worker, long deadline, AtomicInteger runs, Promise<Void> done) {
        if (System.nanoTime() >= deadline) {
            done.complete();
            return;
        }
        worker.run().onComplete(result -> {
            if (result.failed()) {
                done.fail(result.cause());
                return;
            }
            runs.incrementAndGet();
            loop(worker, deadline, runs, done);
        });
    }

    /** GETs the manifest by tag, then every blob it names; "ok", or what went wrong. */
    private Future<String> pull(String tag) {
        return edge.send(HttpMethod.GET, "/v2/" + REPO + "/manifests/" + tag, "Accept", MediaType.OCI_MANIFEST)
                .compose(manifest -> {
                    if (manifest.status() != 200) {
                        return Future.succeededFuture("manifest " + manifest);
                    }
                    List<Future<String>> blobs = new ArrayList<>();
                    for (Descriptor blob : Manifest.parse(manifest.bytes(), manifest.header("Content-Type")).blobs()) {
                        blobs.add(edge.send(HttpMethod.GET, "/v2/" + REPO + "/blobs/" + blob.digest()).map(
                                response -> response.status() == 200
                                        && Digest.sha256(response.bytes()).equals(blob.digest())
                                        ? "ok" : "blob " + blob.digest() + ": " + response));
                    }
                    return Future.all(blobs).map(all -> blobs.stream().map(Future::result)
                            .filter(outcome -> !outcome.equals("ok")).findFirst().orElse("ok"));
                });
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
