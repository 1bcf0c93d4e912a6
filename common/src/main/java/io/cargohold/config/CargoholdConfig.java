package io.cargohold.config;

import java.util.List;

/**
 * The whole configuration of a Cargohold process, as read from YAML (see README.md for every
 * key). Absent sections mean the embedded default: one Hazelcast member, in-process events,
 * anonymous pulls.
 */
public record CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                              KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits,
                              MirrorConfig mirror, LifecycleConfig lifecycle) {

    public CargoholdConfig {
        http = http == null ? new Endpoint("127.0.0.1", 5000) : http;
        admin = admin == null ? new Endpoint("127.0.0.1", 5001) : admin;
        storage = storage == null ? StorageConfig.DEFAULT : storage;
        rules = rules == null ? List.of() : List.copyOf(rules);
        limits = limits == null ? LimitsConfig.DEFAULT : limits;
        mirror = mirror == null ? MirrorConfig.DEFAULT : mirror;
        lifecycle = lifecycle == null ? LifecycleConfig.DEFAULT : lifecycle;
    }

    /** A config with the default mirror and lifecycle settings. */
    public CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                           KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits) {
        this(http, admin, storage, cluster, kafka, auth, rules, limits, null, null);
    }

    /**
     * Mirror mode: {@code defaultRule} is the prefix of the rule that serves names no rule's prefix
     * matches and no {@code ns} parameter places (the Docker daemon's {@code registry-mirrors});
     * null: the Docker Hub rule, when there is exactly one.
     */
    public record MirrorConfig(String defaultRule) {
        public static final MirrorConfig DEFAULT = new MirrorConfig(null);
    }

    /** A host and port to listen on. */
    public record Endpoint(String host, int port) {
    }

    /**
     * Hazelcast members to join, listed ({@code members}) or found through a Kubernetes headless
     * Service ({@code kubernetes}); absent: one embedded member with no network join. {@code host}
     * is the interface the member binds (default: {@code http.host}; {@code 0.0.0.0} binds every one).
     */
    public record ClusterConfig(String name, String host, Integer port, List<String> members,
                                KubernetesJoin kubernetes) {
    }

    /** Members found by resolving the DNS name of a headless Service, such as {@code cargohold-hz}. */
    public record KubernetesJoin(String serviceDns) {
    }

    /** Kafka brokers and topic names; absent: in-process events. */
    public record KafkaConfig(String bootstrapServers, java.util.Map<String, String> topics) {
    }

    /** Client authentication on the registry API; absent: anonymous pulls. */
    public record AuthConfig(Boolean anonymousPull, List<java.util.Map<String, String>> users) {
    }
}
