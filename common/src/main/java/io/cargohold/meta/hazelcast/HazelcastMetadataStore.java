package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.DocumentStore;
import io.cargohold.store.memory.MemoryDocumentStore;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.StoragePage;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The metadata index in Hazelcast maps, shared by every member of the cluster: repositories by
 * name, manifests by {@code <repo>@<digest>}, tags by {@code <repo>:<tag>}. Values are the spi
 * records. Key lookups and writes use the maps' async operations (tags and manifests through a near
 * cache, so hot lookups stay in this member's memory). Results complete on the caller's Vert.x
 * context.
 *
 * <p>The maps are a bounded cache over the {@link DocumentStore} they are configured with
 * ({@link #configureMaps(Config, DocumentStore, long)}): every write goes through to the store
 * before it is acknowledged (a write the store refused fails), an entry is loaded from the store
 * when first asked for, and the least recently used entries leave memory past the cache size. The
 * store therefore always holds the newest acknowledged state, and listings read it directly, a page
 * at a time: a restart loads nothing up front and memory does not grow with what is cached.
 */
public final class HazelcastMetadataStore implements MetadataStore {

    public static final String REPOSITORIES = "cargohold.repositories";
    public static final String MANIFESTS = "cargohold.manifests";
    public static final String TAGS = "cargohold.tags";
    /** The default heap, per member, of the three metadata maps together. */
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;

    private static final String INVALIDATION_BATCHING = "hazelcast.map.invalidation.batch.enabled";
    /** Tags are small records. */
    private static final int MAX_NEAR_CACHED_TAGS = 10_000;
    /** Manifests carry their bytes (a few KiB each, typically): a bounded few MiB of heap. */
    private static final int MAX_NEAR_CACHED_MANIFESTS = 2_000;
    /** Keys read per storage request when a whole repository is listed. */
    private static final int LISTING_PAGE = 1_000;

    private final Vertx vertx;
    private final IMap<String, Repository> repositories;
    private final IMap<String, ManifestRecord> manifests;
    private final IMap<String, TagRecord> tags;
    private final DocumentMapStore<Repository> repositoryDocuments;
    private final DocumentMapStore<ManifestRecord> manifestDocuments;
    private final DocumentMapStore<TagRecord> tagDocuments;
    private final DocumentStore documents;

    public HazelcastMetadataStore(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.repositories = hazelcast.getMap(REPOSITORIES);
        this.manifests = hazelcast.getMap(MANIFESTS);
        this.tags = hazelcast.getMap(TAGS);
        this.repositoryDocuments = mapStore(hazelcast.getConfig(), REPOSITORIES);
        this.manifestDocuments = mapStore(hazelcast.getConfig(), MANIFESTS);
        this.tagDocuments = mapStore(hazelcast.getConfig(), TAGS);
        this.documents = tagDocuments.documents();
    }

    /** Opens the maps on a worker thread. */
    public static Future<HazelcastMetadataStore> open(Vertx vertx, HazelcastInstance hazelcast) {
        return vertx.executeBlocking(() -> new HazelcastMetadataStore(vertx, hazelcast), false);
    }

    /** The document store behind a metadata map of a member configured by {@link #configureMaps}. */
    @SuppressWarnings("unchecked")
    static <V> DocumentMapStore<V> mapStore(Config config, String map) {
        Object store = config.getMapConfig(map).getMapStoreConfig().getImplementation();
        if (!(store instanceof DocumentMapStore<?>)) {
            throw new IllegalStateException("map " + map + " has no document store: configure the member with "
                    + "HazelcastMetadataStore.configureMaps");
        }
        return (DocumentMapStore<V>) store;
    }

    /**
     * Adds this store's map settings to a member's config, over a document store in this member's
     * memory (tests and single-process tools: nothing outlives the process). Calling it again
     * replaces that store.
     */
    public static Config configureMaps(Config config) {
        return configureMaps(config, new MemoryDocumentStore(), DEFAULT_CACHE_BYTES);
    }

    /** As {@link #configureMaps(Config, DocumentStore, long)} with the default cache size. */
    public static Config configureMaps(Config config, DocumentStore documents) {
        return configureMaps(config, documents, DEFAULT_CACHE_BYTES);
    }

    /**
     * Adds this store's map settings and makes the maps durable in {@code documents}: written
     * through ({@code repositories/<repo>}, {@code manifests/<repo>@<digest>},
     * {@code tags/<repo>:<tag>}, and the registry-wide documents {@code registry/<name>} of
     * {@link HazelcastRegistryDocuments}, see {@link MetadataDocuments}), read through and held in
     * at most {@code cacheBytes} of heap per member (the registry documents, a handful, are loaded
     * whole). Every member of a cluster must be configured with the same document store.
     */
    public static Config configureMaps(Config config, DocumentStore documents, long cacheBytes) {
        addNearCache(config.getMapConfig(TAGS), MAX_NEAR_CACHED_TAGS);
        addNearCache(config.getMapConfig(MANIFESTS), MAX_NEAR_CACHED_MANIFESTS);
        // Invalidations of other members' near caches are sent at once rather than in batches
        // (every 10 s by default), so a tag moved on one node is seen by the others within
        // milliseconds, as it was without a near cache.
        config.setProperty(INVALIDATION_BATCHING, "false");
        SkippedDocuments skipped = new SkippedDocuments();
        int megabytes = (int) Math.max(3, cacheBytes >> 20);
        readThrough(config.getMapConfig(REPOSITORIES), megabytes / 4, DocumentMapStore.readThrough(documents,
                MetadataDocuments.REPOSITORIES_PREFIX, MetadataDocuments.REPOSITORY_CODEC, skipped));
        readThrough(config.getMapConfig(MANIFESTS), megabytes / 2, DocumentMapStore.readThrough(documents,
                MetadataDocuments.MANIFESTS_PREFIX, MetadataDocuments.MANIFEST_CODEC, skipped));
        readThrough(config.getMapConfig(TAGS), megabytes / 4, DocumentMapStore.readThrough(documents,
                MetadataDocuments.TAGS_PREFIX, MetadataDocuments.TAG_CODEC, skipped));
        config.getMapConfig(HazelcastRegistryDocuments.MAP).setMapStoreConfig(mapStoreConfig(
                DocumentMapStore.preloaded(documents, MetadataDocuments.REGISTRY_PREFIX,
                        MetadataDocuments.TEXT_CODEC, skipped), MapStoreConfig.InitialLoadMode.EAGER));
        return config;
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

    /** Evicting an entry only drops it from memory: the store has it, and loads it again when asked. */
    private static <V> void readThrough(MapConfig map, int megabytes, DocumentMapStore<V> store) {
        map.setMapStoreConfig(mapStoreConfig(store, MapStoreConfig.InitialLoadMode.LAZY));
        map.setEvictionConfig(new EvictionConfig()
                .setEvictionPolicy(EvictionPolicy.LRU)
                .setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE)
                .setSize(megabytes));
    }

    private static MapStoreConfig mapStoreConfig(DocumentMapStore<?> store, MapStoreConfig.InitialLoadMode mode) {
        return new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(store)
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(mode);
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
    public Future<Void> deleteRepository(String name) {
        return adapt(repositories.removeAsync(name)).mapEmpty();
    }

    @Override
    public Future<List<String>> repositoryNames(String last, int limit) {
        return vertx.executeBlocking(() -> names(MetadataDocuments.REPOSITORIES_PREFIX, last, limit), false);
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
    public Future<StoragePage<ManifestRecord>> manifests(String after, int limit) {
        return vertx.executeBlocking(() -> page(manifestDocuments, after, limit), false);
    }

    @Override
    public Future<StoragePage<Repository>> repositories(String after, int limit) {
        return vertx.executeBlocking(() -> page(repositoryDocuments, after, limit), false);
    }

    @Override
    public Future<List<ManifestRecord>> manifests(String repository) {
        return vertx.executeBlocking(() -> records(manifestDocuments,
                MetadataDocuments.MANIFESTS_PREFIX + manifestKey(repository, "")), false);
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
        return vertx.executeBlocking(() -> {
            List<String> all = new ArrayList<>();
            List<String> page;
            do {
                page = names(tagPrefix(repository), all.isEmpty() ? null : all.get(all.size() - 1), LISTING_PAGE);
                all.addAll(page);
            } while (page.size() == LISTING_PAGE);
            return all;
        }, false);
    }

    @Override
    public Future<List<String>> tags(String repository, String last, int limit) {
        return vertx.executeBlocking(() -> names(tagPrefix(repository), last, limit), false);
    }

    @Override
    public Future<List<TagRecord>> tagRecords(String repository) {
        return vertx.executeBlocking(() -> records(tagDocuments, tagPrefix(repository)), false);
    }

    @Override
    public Future<Void> deleteTag(String repository, String tag) {
        return adapt(tags.removeAsync(tagKey(repository, tag))).mapEmpty();
    }

    private static String tagPrefix(String repository) {
        return MetadataDocuments.TAGS_PREFIX + tagKey(repository, "");
    }

    /** Up to {@code limit} names after {@code last} of the documents under {@code prefix}. */
    private List<String> names(String prefix, String last, int limit) {
        return documents.keys(prefix, last == null ? null : prefix + last, limit).stream()
                .map(key -> key.substring(prefix.length()))
                .toList();
    }

    /** The readable records of up to {@code limit} documents of {@code store}'s map after the entry {@code after}. */
    private <V> StoragePage<V> page(DocumentMapStore<V> store, String after, int limit) {
        String prefix = store.prefix();
        List<DocumentStore.Document> page = documents.documents(prefix, after == null ? null : prefix + after, limit);
        List<V> records = new ArrayList<>(page.size());
        decode(store, page, records);
        String next = page.size() < limit ? null : page.get(page.size() - 1).key().substring(prefix.length());
        return new StoragePage<>(records, next);
    }

    /** Every readable record under {@code prefix}, in key order, read a page at a time. */
    private <V> List<V> records(DocumentMapStore<V> store, String prefix) {
        List<V> records = new ArrayList<>();
        List<DocumentStore.Document> page = documents.documents(prefix, null, LISTING_PAGE);
        decode(store, page, records);
        while (page.size() == LISTING_PAGE) {
            page = documents.documents(prefix, page.get(page.size() - 1).key(), LISTING_PAGE);
            decode(store, page, records);
        }
        return records;
    }

    /** Adds the records of the readable documents of {@code page} to {@code records}; the others are skipped. */
    private static <V> void decode(DocumentMapStore<V> store, List<DocumentStore.Document> page, List<V> records) {
        for (DocumentStore.Document document : page) {
            V record = store.decode(document.key(), document.content());
            if (record != null) {
                records.add(record);
            }
        }
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
