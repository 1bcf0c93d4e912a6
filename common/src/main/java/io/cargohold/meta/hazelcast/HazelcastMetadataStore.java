package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.DocumentStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The metadata index in Hazelcast maps, shared by every member of the cluster: repositories by
 * name, manifests by {@code <repo>@<digest>}, tags by {@code <repo>:<tag>}. Values are the spi
 * records, stored with Hazelcast's compact serialization. Key lookups and writes use the maps' async
 * operations (tags and manifests through a near cache, so hot lookups stay in this member's memory);
 * the listings are indexed queries, which Hazelcast only offers as blocking calls,
 * so they run on a worker thread. Results complete on the caller's Vert.x context.
 *
 * <p>With {@link #configureMaps(Config, DocumentStore)} the maps are durable: every write goes
 * through to the document store before it is acknowledged (a write the store refused fails), and a
 * new cluster loads every stored entry when the maps are first opened, so the key lookups and the
 * listings answer as before the restart. Opening the maps then blocks until they are loaded:
 * construct this store off the event loop, or with {@link #open(Vertx, HazelcastInstance)}.
 */
public final class HazelcastMetadataStore implements MetadataStore {

    public static final String REPOSITORIES = "cargohold.repositories";
    public static final String MANIFESTS = "cargohold.manifests";
    public static final String TAGS = "cargohold.tags";

    private static final String REPOSITORY_ATTRIBUTE = "repository";
    private static final String INVALIDATION_BATCHING = "hazelcast.map.invalidation.batch.enabled";
    /** Tags are small records. */
    private static final int MAX_NEAR_CACHED_TAGS = 10_000;
    /** Manifests carry their bytes (a few KiB each, typically): a bounded few MiB of heap. */
    private static final int MAX_NEAR_CACHED_MANIFESTS = 2_000;

    private final Vertx vertx;
    private final IMap<String, Repository> repositories;
    private final IMap<String, ManifestRecord> manifests;
    private final IMap<String, TagRecord> tags;

    public HazelcastMetadataStore(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.repositories = hazelcast.getMap(REPOSITORIES);
        this.manifests = hazelcast.getMap(MANIFESTS);
        this.tags = hazelcast.getMap(TAGS);
    }

    /**
     * Opens the maps on a worker thread: with durable maps on a new cluster, that waits for the
     * stored entries to load.
     */
    public static Future<HazelcastMetadataStore> open(Vertx vertx, HazelcastInstance hazelcast) {
        return vertx.executeBlocking(() -> new HazelcastMetadataStore(vertx, hazelcast), false);
    }

    /**
     * Adds this store's map settings (the index the tag listing queries) to a member's config; the
     * maps live in memory only. Calling it again changes nothing.
     */
    public static Config configureMaps(Config config) {
        addRepositoryIndex(config.getMapConfig(TAGS));
        addRepositoryIndex(config.getMapConfig(MANIFESTS));
        addNearCache(config.getMapConfig(TAGS), MAX_NEAR_CACHED_TAGS);
        addNearCache(config.getMapConfig(MANIFESTS), MAX_NEAR_CACHED_MANIFESTS);
        // Invalidations of other members' near caches are sent at once rather than in batches
        // (every 10 s by default), so a tag moved on one node is seen by the others within
        // milliseconds, as it was without a near cache.
        config.setProperty(INVALIDATION_BATCHING, "false");
        return config;
    }

    /**
     * Adds this store's map settings and makes the maps durable in {@code documents}: written
     * through ({@code repositories/<repo>}, {@code manifests/<repo>@<digest>},
     * {@code tags/<repo>:<tag>}, and the registry-wide documents {@code registry/<name>} of
     * {@link HazelcastRegistryDocuments}, see {@link MetadataDocuments}) and loaded eagerly from it by a new
     * cluster. Every member of a cluster must be configured with the same document store.
     */
    public static Config configureMaps(Config config, DocumentStore documents) {
        configureMaps(config);
        attach(config.getMapConfig(REPOSITORIES), new DocumentMapStore<>(documents,
                MetadataDocuments.REPOSITORIES_PREFIX, MetadataDocuments.REPOSITORY_CODEC));
        attach(config.getMapConfig(MANIFESTS), new DocumentMapStore<>(documents,
                MetadataDocuments.MANIFESTS_PREFIX, MetadataDocuments.MANIFEST_CODEC));
        attach(config.getMapConfig(TAGS), new DocumentMapStore<>(documents,
                MetadataDocuments.TAGS_PREFIX, MetadataDocuments.TAG_CODEC));
        attach(config.getMapConfig(HazelcastRegistryDocuments.MAP), new DocumentMapStore<>(documents,
                MetadataDocuments.REGISTRY_PREFIX, MetadataDocuments.TEXT_CODEC));
        return config;
    }

    private static void addRepositoryIndex(MapConfig map) {
        boolean present = map.getIndexConfigs().stream()
                .anyMatch(index -> index.getAttributes().equals(List.of(REPOSITORY_ATTRIBUTE)));
        if (!present) {
            map.addIndexConfig(new IndexConfig(IndexType.HASH, REPOSITORY_ATTRIBUTE));
        }
    }

    /**
     * A cached manifest by tag is two lookups (tag, then manifest) on every GET. Without a near
     * cache each is a partition operation plus deserialization, even on the member that owns the
     * entry; with it, hot entries are read from this member's memory as the objects themselves
     * (the records are immutable). Writes anywhere in the cluster invalidate the entry, and local
     * entries are cached too, which the embedded single member needs.
     */
    private static void addNearCache(MapConfig map, int maxEntries) {
        if (map.getNearCacheConfig() != null) {
            return;
        }
        map.setNearCacheConfig(new NearCacheConfig()
                .setInMemoryFormat(InMemoryFormat.OBJECT)
                .setCacheLocalEntries(true)
                .setInvalidateOnChange(true)
                .setEvictionConfig(new EvictionConfig()
                        .setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
                        .setSize(maxEntries)));
    }

    private static <V> void attach(MapConfig map, DocumentMapStore<V> store) {
        map.setMapStoreConfig(new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(store)
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER));
    }

    @Override
    public Future<Optional<Repository>> repository(String name) {
        return adapt(repositories.getAsync(name)).map(Optional::ofNullable);
    }

    @Override
    public Future<Repository> createRepositoryIfAbsent(Repository repository) {
        return adapt(repositories.submitToKey(repository.name(), new PutRepositoryIfAbsent(repository)));
    }

    @Override
    public Future<Void> putRepository(Repository repository) {
        return adapt(repositories.setAsync(repository.name(), repository));
    }

    @Override
    public Future<List<String>> repositoryNames() {
        return vertx.executeBlocking(() -> repositories.keySet().stream().sorted().toList(), false);
    }

    @Override
    public Future<Optional<ManifestRecord>> manifest(String repository, String digest) {
        return adapt(manifests.getAsync(manifestKey(repository, digest))).map(Optional::ofNullable);
    }

    @Override
    public Future<Void> putManifest(ManifestRecord manifest) {
        return adapt(manifests.setAsync(manifestKey(manifest.repository(), manifest.digest()), manifest));
    }

    @Override
    public Future<Void> markPulled(String repository, String digest, long millis) {
        return adapt(manifests.submitToKey(manifestKey(repository, digest), new MarkPulled(millis))).mapEmpty();
    }

    @Override
    public Future<List<ManifestRecord>> manifests(String repository) {
        return vertx.executeBlocking(() -> List.copyOf(manifests.values(
                Predicates.equal(REPOSITORY_ATTRIBUTE, repository))), false);
    }

    @Override
    public Future<Void> deleteManifest(String repository, String digest) {
        return adapt(manifests.removeAsync(manifestKey(repository, digest))).mapEmpty();
    }

    @Override
    public Future<Optional<TagRecord>> tag(String repository, String tag) {
        return adapt(tags.getAsync(tagKey(repository, tag))).map(Optional::ofNullable);
    }

    @Override
    public Future<Void> putTag(TagRecord tag) {
        return adapt(tags.setAsync(tagKey(tag.repository(), tag.tag()), tag));
    }

    @Override
    public Future<List<String>> tags(String repository) {
        int prefix = repository.length() + 1;
        return vertx.executeBlocking(() -> tags.keySet(Predicates.equal(REPOSITORY_ATTRIBUTE, repository)).stream()
                .map(key -> key.substring(prefix))
                .sorted()
                .toList(), false);
    }

    @Override
    public Future<List<TagRecord>> tagRecords(String repository) {
        return vertx.executeBlocking(() -> tags.values(Predicates.equal(REPOSITORY_ATTRIBUTE, repository)).stream()
                .sorted(Comparator.comparing(TagRecord::tag))
                .toList(), false);
    }

    @Override
    public Future<Void> deleteTag(String repository, String tag) {
        return adapt(tags.removeAsync(tagKey(repository, tag))).mapEmpty();
    }

    static String manifestKey(String repository, String digest) {
        return repository + "@" + digest;
    }

    static String tagKey(String repository, String tag) {
        return repository + ":" + tag;
    }

    /**
     * A Hazelcast completion as a Vert.x future, completed on the calling context when there is one.
     * The completion is handed to the context as the executor of {@code whenCompleteAsync}: a plain
     * callback would run on Hazelcast's default async executor, which on machines with fewer than 3
     * cores (common pool parallelism 1) starts a new thread for every completion. That thread start
     * capped manifest GETs at a few hundred per second on 2 cores. A lookup the near cache answered
     * is complete already and needs no hop at all.
     */
    static <T> Future<T> adapt(CompletionStage<T> stage) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Future.fromCompletionStage(stage);
        }
        CompletableFuture<T> future = stage.toCompletableFuture();
        if (future.isDone() && !future.isCompletedExceptionally() && Vertx.currentContext() == context) {
            return Future.succeededFuture(future.join());
        }
        Promise<T> promise = Promise.promise();
        stage.whenCompleteAsync((value, failure) -> {
            if (failure == null) {
                promise.complete(value);
            } else {
                promise.fail(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
        }, command -> context.runOnContext(v -> command.run()));
        return promise.future();
    }
}
