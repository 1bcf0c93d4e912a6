package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cargohold.spi.ApiTokenStore;
import io.cargohold.spi.RegistryPolicyStore;
import io.vertx.core.Future;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registry-wide documents in one Hazelcast map: the registry policy, the key registry tokens are signed
 * with when the config gives none, and the API tokens ({@code api-token/<id>}). Made durable by {@link HazelcastMetadataStore#configureMaps} like the
 * metadata maps, so every member and every restart sees the same ones.
 */
public final class HazelcastRegistryDocuments implements RegistryPolicyStore, ApiTokenStore {

    public static final String MAP = "cargohold.registry";
    static final String REGISTRY_POLICY = "registry-policy";
    static final String TOKEN_KEY = "token-key";
    static final String API_TOKENS = "api-token/";
    private static final int TOKEN_KEY_BYTES = 32;

    private final IMap<String, String> documents;

    public HazelcastRegistryDocuments(HazelcastInstance hazelcast) {
        this.documents = hazelcast.getMap(MAP);
    }

    @Override
    public Future<Optional<String>> registryPolicy() {
        return HazelcastMetadataStore.adapt(documents.getAsync(REGISTRY_POLICY)).map(Optional::ofNullable);
    }

    @Override
    public Future<Optional<String>> putRegistryPolicy(String policy) {
        return HazelcastMetadataStore.adapt(documents.putAsync(REGISTRY_POLICY, policy)).map(Optional::ofNullable);
    }

    @Override
    public Future<Optional<String>> deleteRegistryPolicy() {
        return HazelcastMetadataStore.adapt(documents.removeAsync(REGISTRY_POLICY)).map(Optional::ofNullable);
    }

    /**
     * Stores the policy unless the cluster has one (the config seeds it; the control API changes it later);
     * answers whether it was stored. Blocking: call it off the event loop.
     */
    public boolean seedRegistryPolicy(String policy) {
        return documents.putIfAbsent(REGISTRY_POLICY, policy) == null;
    }

    /**
     * The cluster's token signing key: the one stored, or a new random one that the first member to ask stores
     * for all. Blocking: call it off the event loop.
     */
    public String sharedTokenKey() {
        byte[] key = new byte[TOKEN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        String generated = Base64.getEncoder().encodeToString(key);
        String stored = documents.putIfAbsent(TOKEN_KEY, generated);
        return stored == null ? generated : stored;
    }

    @Override
    public Future<Optional<String>> apiToken(String id) {
        return HazelcastMetadataStore.adapt(documents.getAsync(API_TOKENS + id)).map(Optional::ofNullable);
    }

    @Override
    public Future<Void> putApiToken(String id, String document) {
        return HazelcastMetadataStore.adapt(documents.setAsync(API_TOKENS + id, document));
    }

    @Override
    public Future<Optional<String>> deleteApiToken(String id) {
        return HazelcastMetadataStore.adapt(documents.removeAsync(API_TOKENS + id)).map(Optional::ofNullable);
    }

    @Override
    public List<String> apiTokens() {
        return documents.entrySet().stream().filter(entry -> entry.getKey().startsWith(API_TOKENS))
                .map(Map.Entry::getValue).toList();
    }
}
