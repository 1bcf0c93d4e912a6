package io.cargohold.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * What an operator or a creation template sets on a repository: tag mutability, a description,
 * resource tags, and the JSON of its lifecycle policy and repository policy (null when none).
 */
public record RepositorySettings(TagMutability tagMutability, String description, Map<String, String> resourceTags,
                                 String lifecyclePolicy, String repositoryPolicy) {

    public static final RepositorySettings DEFAULTS = new RepositorySettings(TagMutability.MUTABLE, null, Map.of(),
            null, null);

    public RepositorySettings {
        tagMutability = tagMutability == null ? TagMutability.MUTABLE : tagMutability;
        resourceTags = resourceTags == null ? Map.of() : Map.copyOf(new TreeMap<>(resourceTags));
    }

    public RepositorySettings withTagMutability(TagMutability mutability) {
        return new RepositorySettings(mutability, description, resourceTags, lifecyclePolicy, repositoryPolicy);
    }

    public RepositorySettings withLifecyclePolicy(String policy) {
        return new RepositorySettings(tagMutability, description, resourceTags, policy, repositoryPolicy);
    }

    public RepositorySettings withRepositoryPolicy(String policy) {
        return new RepositorySettings(tagMutability, description, resourceTags, lifecyclePolicy, policy);
    }
}
