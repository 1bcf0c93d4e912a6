package io.cargohold.meta.hazelcast;

import com.hazelcast.map.EntryProcessor;
import io.cargohold.meta.json.MetadataDocuments;
import io.cargohold.spi.Repository;

import java.util.Map;

/**
 * Stores a repository unless its name is taken, and answers the stored one: an atomic, async
 * put-if-absent (the IMap interface has no {@code putIfAbsentAsync}). Carries the repository as its
 * JSON document so that it serializes without the record being {@code Serializable}.
 */
final class PutRepositoryIfAbsent implements EntryProcessor<String, Repository, Repository> {

    private static final long serialVersionUID = 2L;

    private final byte[] repository;

    PutRepositoryIfAbsent(Repository repository) {
        this.repository = MetadataDocuments.REPOSITORY_CODEC.encode(repository);
    }

    @Override
    public Repository process(Map.Entry<String, Repository> entry) {
        Repository stored = entry.getValue();
        if (stored != null) {
            return stored;
        }
        Repository created = MetadataDocuments.REPOSITORY_CODEC.decode(repository);
        entry.setValue(created);
        return created;
    }
}
