package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.spi.MetadataStore;
import io.cargohold.spi.Repository;
import io.cargohold.spi.TagRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The metadata index in Hazelcast maps, shared by every member of the cluster: repositories by
 * name, manifests by {@code <repo>@<digest>}, tags by {@code <repo>:<tag>}. Values are the spi
 * records, stored with Hazelcast's compact serialization. Key lookups and writes use the maps' async
 * operations; the two listings are indexed queries, which Hazelcast only offers as blocking calls,
 * so they run on a worker thread. Results complete on the caller's Vert.x context.
 */
public final class HazelcastMetadataStore implements MetadataStore {

    public static final String REPOSITORIES = "cargohold.repositories";
    public static final String MANIFESTS = "cargohold.manifests";
    public static final String TAGS = "cargohold.tags";

    private static final String REPOSITORY_ATTRIBUTE = "repository";

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

    /** Adds this store's map settings (the index the tag listing queries) to a member's config. */
    public static Config configureMaps(Config config) {
        config.getMapConfig(TAGS).addIndexConfig(new IndexConfig(IndexType.HASH, REPOSITORY_ATTRIBUTE));
        config.getMapConfig(MANIFESTS).addIndexConfig(new IndexConfig(IndexType.HASH, REPOSITORY_ATTRIBUTE));
        return config;
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

    static String manifestKey(String repository, String digest) {
        return repository + "@" + digest;
    }

    static String tagKey(String repository, String tag) {
        return repository + ":" + tag;
    }

    /** A Hazelcast completion as a Vert.x future, completed on the calling context when there is one. */
    private static <T> Future<T> adapt(CompletionStage<T> stage) {
        Context context = Vertx.currentContext();
        return context == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, context);
    }
}
