package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The shared index of what is cached: repositories, their manifests and their tags. Lookups by key
 * are answered from memory when hot; listings are pages read from durable storage, in its key
 * order, so neither costs in proportion to everything cached.
 */
public interface MetadataStore {

    Future<Optional<Repository>> repository(String name);

    /** Creates the repository unless it exists; answers the one that is stored either way. */
    Future<Repository> createRepositoryIfAbsent(Repository repository);

    /** Replaces a stored repository: its settings changed. */
    Future<Void> putRepository(Repository repository);

    /** Removes a repository's record; its manifests and tags are the caller's to remove first. */
    Future<Void> deleteRepository(String name);

    /**
     * Up to {@code limit} repository names after {@code last} (null: from the first), in the
     * storage's key order.
     */
    Future<List<String>> repositoryNames(String last, int limit);

    /**
     * Up to {@code limit} repositories after the one named {@code after} (the {@code next} of the
     * previous page; null: from the first), their records read from storage in one run.
     */
    Future<StoragePage<Repository>> repositories(String after, int limit);

    /**
     * Hands every repository to {@code visit}, a page of records at a time, reading the next page
     * only once the visit of the previous one completed.
     */
    default Future<Void> forEachRepository(int pageSize, Function<List<Repository>, Future<Void>> visit) {
        return forEachRepository(null, pageSize, visit);
    }

    private Future<Void> forEachRepository(String after, int pageSize, Function<List<Repository>, Future<Void>> visit) {
        return repositories(after, pageSize).compose(page -> visit.apply(page.items()).compose(v ->
                page.next() == null ? Future.succeededFuture() : forEachRepository(page.next(), pageSize, visit)));
    }

    /**
     * Hands every repository name to {@code visit}, a page of at most {@code pageSize} at a time,
     * reading the next page only once the visit of the previous one completed: background work over
     * the whole cache holds one page at a time.
     */
    default Future<Void> forEachRepositoryPage(int pageSize, Function<List<String>, Future<Void>> visit) {
        return forEachRepositoryPage(null, pageSize, visit);
    }

    private Future<Void> forEachRepositoryPage(String after, int pageSize, Function<List<String>, Future<Void>> visit) {
        return repositoryNames(after, pageSize).compose(page -> {
            if (page.isEmpty()) {
                return Future.succeededFuture();
            }
            Future<Void> visited = visit.apply(page);
            return page.size() < pageSize ? visited
                    : visited.compose(v -> forEachRepositoryPage(page.get(page.size() - 1), pageSize, visit));
        });
    }

    Future<Optional<ManifestRecord>> manifest(String repository, String digest);

    Future<Void> putManifest(ManifestRecord manifest);

    /**
     * Records a pull of a cached manifest at {@code millis}, unless a later one is recorded; does
     * nothing when the manifest is no longer cached, so a pull that races its expiry never brings
     * the record back.
     */
    Future<Void> markPulled(String repository, String digest, long millis);

    /**
     * Up to {@code limit} manifests of every repository, after the one {@code after} names (the
     * {@code next} of the previous page; null: from the first): background work over every manifest
     * reads storage in long runs instead of one repository at a time.
     */
    Future<StoragePage<ManifestRecord>> manifests(String after, int limit);

    /** Every manifest of a repository, in no particular order. */
    Future<List<ManifestRecord>> manifests(String repository);

    /** Forgets a manifest; its tags and blobs are the caller's to handle. Deleting nothing succeeds. */
    Future<Void> deleteManifest(String repository, String digest);

    Future<Optional<TagRecord>> tag(String repository, String tag);

    Future<Void> putTag(TagRecord tag);

    /** Every tag of a repository, sorted. */
    Future<List<String>> tags(String repository);

    /** Up to {@code limit} tags of a repository after {@code last} (null: from the first), sorted. */
    Future<List<String>> tags(String repository, String last, int limit);

    /** Every tag record of a repository, sorted by tag. */
    Future<List<TagRecord>> tagRecords(String repository);

    /** Forgets a tag. Deleting nothing succeeds. */
    Future<Void> deleteTag(String repository, String tag);
}
