package io.cargohold.spi;

import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;

/** The shared index of what is cached: repositories, their manifests and their tags. */
public interface MetadataStore {

    Future<Optional<Repository>> repository(String name);

    /** Creates the repository unless it exists; answers the one that is stored either way. */
    Future<Repository> createRepositoryIfAbsent(Repository repository);

    /** Replaces a stored repository: its settings changed. */
    Future<Void> putRepository(Repository repository);

    /** Every repository name, sorted. */
    Future<List<String>> repositoryNames();

    Future<Optional<ManifestRecord>> manifest(String repository, String digest);

    Future<Void> putManifest(ManifestRecord manifest);

    /**
     * Records a pull of a cached manifest at {@code millis}, unless a later one is recorded; does
     * nothing when the manifest is no longer cached, so a pull that races its expiry never brings
     * the record back.
     */
    Future<Void> markPulled(String repository, String digest, long millis);

    /** Every manifest of a repository, in no particular order. */
    Future<List<ManifestRecord>> manifests(String repository);

    /** Forgets a manifest; its tags and blobs are the caller's to handle. Deleting nothing succeeds. */
    Future<Void> deleteManifest(String repository, String digest);

    Future<Optional<TagRecord>> tag(String repository, String tag);

    Future<Void> putTag(TagRecord tag);

    /** Every tag of a repository, sorted. */
    Future<List<String>> tags(String repository);

    /** Every tag record of a repository, sorted by tag. */
    Future<List<TagRecord>> tagRecords(String repository);

    /** Forgets a tag. Deleting nothing succeeds. */
    Future<Void> deleteTag(String repository, String tag);
}
