package io.cargohold.coordinator.console;

import io.cargohold.config.CacheRule;
import io.cargohold.coordinator.api.Page;
import io.cargohold.coordinator.api.PageRequest;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.oci.Descriptor;
import io.cargohold.oci.Manifest;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the console shows, as one JSON document: the counters every node posted to the
 * {@link NodeStatsBoard} added up (lookups by rule, bytes served by source, calls by upstream), the
 * rules with their hit ratio, a page of the repositories with their images' sizes and last pull, and
 * the egress history. No total of repositories or images is shown: it would take reading them all.
 */
final class ConsoleSummary {

    private final NodeStatsBoard board;
    private final MetadataStore metadata;
    private final Supplier<List<CacheRule>> rules;
    private final EgressHistory history;

    ConsoleSummary(NodeStatsBoard board, MetadataStore metadata, Supplier<List<CacheRule>> rules,
                   EgressHistory history) {
        this.board = board;
        this.metadata = metadata;
        this.rules = rules;
        this.history = history;
    }

    /** The counters of every node, added up. */
    Future<JsonObject> totals() {
        return board.all().map(nodes -> {
            JsonObject total = new JsonObject().put("rules", new JsonObject())
                    .put("bytes", new JsonObject().put("cache", 0L).put("upstream", 0L))
                    .put("upstreams", new JsonObject());
            nodes.forEach(node -> add(total, node));
            return total.put("nodes", nodes.size());
        });
    }

    /** The summary with the page of repositories {@code page} asks for, and its {@code nextToken}. */
    Future<JsonObject> summary(PageRequest page) {
        return totals().compose(totals -> repositories(page).map(repositories -> repositories
                .put("generatedAt", Instant.now().toString())
                .put("nodes", totals.getInteger("nodes"))
                .put("bytes", totals.getJsonObject("bytes"))
                .put("rules", rules(totals.getJsonObject("rules")))
                .put("upstreams", upstreams(totals.getJsonObject("upstreams")))
                .put("egress", history.points())));
    }

    private JsonArray rules(JsonObject lookups) {
        JsonArray list = new JsonArray();
        for (CacheRule rule : rules.get()) {
            JsonObject counts = lookups.getJsonObject(rule.prefix(), new JsonObject());
            long hits = counts.getLong("hit", 0L) + counts.getLong("stale", 0L);
            long misses = counts.getLong("miss", 0L);
            list.add(new JsonObject().put("prefix", rule.prefix()).put("upstreamUrl", rule.upstreamUrl())
                    .put("hits", hits).put("misses", misses)
                    .put("hitRatio", hits + misses == 0 ? null : (double) hits / (hits + misses)));
        }
        return list;
    }

    private static JsonArray upstreams(JsonObject calls) {
        JsonArray list = new JsonArray();
        for (String host : calls.fieldNames().stream().sorted().toList()) {
            JsonObject counts = calls.getJsonObject(host);
            long requests = counts.getLong("requests", 0L);
            long failures = counts.getLong("failures", 0L);
            list.add(new JsonObject().put("host", host).put("requests", requests).put("failures", failures)
                    .put("healthy", failures * 20 <= requests));
        }
        return list;
    }

    /** {@code {"repositories": [...], "nextToken"}}: the page's names read from storage, then each one's manifests. */
    private Future<JsonObject> repositories(PageRequest page) {
        return metadata.repositoryNames(page.after(), page.maxResults() + 1).compose(names -> {
            Page<String> shown = page.fromOneMore(names, name -> name);
            List<Future<JsonObject>> each = shown.items().stream()
                    .map(name -> metadata.manifests(name).map(manifests -> repository(name, manifests)))
                    .toList();
            return Future.all(each).map(all -> new Page<>(each.stream().map(Future::result).toList(),
                    shown.nextToken()).toJson("repositories"));
        });
    }

    /** A repository's images, and its bytes: each blob counted once however many images share it. */
    private static JsonObject repository(String name, List<ManifestRecord> manifests) {
        Map<String, Long> blobs = new HashMap<>();
        long lastPulled = 0;
        for (ManifestRecord manifest : manifests) {
            blobs.put(manifest.digest(), manifest.size());
            lastPulled = Math.max(lastPulled, manifest.lastPulledAtMillis());
            try {
                for (Descriptor blob : Manifest.parse(manifest.content(), manifest.mediaType()).blobs()) {
                    blobs.put(blob.digest().value(), blob.size());
                }
            } catch (RegistryException unreadable) {
                // counted by its own bytes only
            }
        }
        return new JsonObject().put("name", name).put("images", manifests.size())
                .put("bytes", blobs.values().stream().mapToLong(Long::longValue).sum())
                .put("lastPulledAt", lastPulled == 0 ? null : Instant.ofEpochMilli(lastPulled).toString());
    }

    /** Adds every number of {@code from} into {@code into}, object by object. */
    private static void add(JsonObject into, JsonObject from) {
        for (String key : from.fieldNames()) {
            Object value = from.getValue(key);
            if (value instanceof JsonObject child) {
                JsonObject target = into.getJsonObject(key);
                if (target == null) {
                    target = new JsonObject();
                    into.put(key, target);
                }
                add(target, child);
            } else if (value instanceof Number number) {
                into.put(key, into.getLong(key, 0L) + number.longValue());
            }
        }
    }
}
