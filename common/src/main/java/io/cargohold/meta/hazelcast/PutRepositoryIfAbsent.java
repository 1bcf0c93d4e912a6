package io.cargohold.meta.hazelcast;

import com.hazelcast.map.EntryProcessor;
import io.cargohold.spi.Repository;

import java.util.Map;

/**
 * Stores a repository unless its name is taken, and answers the stored one: an atomic, async
 * put-if-absent (the IMap interface has no {@code putIfAbsentAsync}). Keeps plain fields so that it
 * serializes without the record being {@code Serializable}.
 */
final class PutRepositoryIfAbsent implements EntryProcessor<String, Repository, Repository> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String rulePrefix;
    private final String upstreamUrl;
    private final String upstreamRepository;
    private final long createdAtMillis;

    PutRepositoryIfAbsent(Repository repository) {
        this.name = repository.name();
        this.rulePrefix = repository.rulePrefix();
        this.upstreamUrl = repository.upstreamUrl();
        this.upstreamRepository = repository.upstreamRepository();
        this.createdAtMillis = repository.createdAtMillis();
    }

    @Override
    public Repository process(Map.Entry<String, Repository> entry) {
        Repository stored = entry.getValue();
        if (stored != null) {
            return stored;
        }
        Repository created = new Repository(name, rulePrefix, upstreamUrl, upstreamRepository, createdAtMillis);
        entry.setValue(created);
        return created;
    }
}
