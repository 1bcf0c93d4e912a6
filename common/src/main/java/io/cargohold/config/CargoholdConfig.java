package io.cargohold.config;

import io.cargohold.policy.Authorizer;
import io.cargohold.policy.RegistryId;

import java.time.Duration;
import java.util.List;

/**
 * The whole configuration of a Cargohold process, as read from YAML (see README.md for every
 * key). Absent sections mean the embedded default: one Hazelcast member, in-process events,
 * anonymous pulls. {@code upstreamTls} is the default of every rule's {@code tls}.
 */
public record CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                              KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits,
                              MirrorConfig mirror, LifecycleConfig lifecycle, MetadataConfig metadata,
                              UpstreamTls upstreamTls, LogConfig log) {

    public CargoholdConfig {
        http = http == null ? new Endpoint("127.0.0.1", 5000) : http;
        admin = admin == null ? new Endpoint("127.0.0.1", 5001) : admin;
        storage = storage == null ? StorageConfig.DEFAULT : storage;
        rules = rules == null ? List.of() : List.copyOf(rules);
        limits = limits == null ? LimitsConfig.DEFAULT : limits;
        mirror = mirror == null ? MirrorConfig.DEFAULT : mirror;
        lifecycle = lifecycle == null ? LifecycleConfig.DEFAULT : lifecycle;
        metadata = metadata == null ? MetadataConfig.DEFAULT : metadata;
        upstreamTls = upstreamTls == null ? UpstreamTls.NONE : upstreamTls;
        log = log == null ? LogConfig.DEFAULT : log;
    }

    /** A config whose upstreams are trusted through the system trust store, with the default log settings. */
    public CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                           KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits,
                           MirrorConfig mirror, LifecycleConfig lifecycle, MetadataConfig metadata) {
        this(http, admin, storage, cluster, kafka, auth, rules, limits, mirror, lifecycle, metadata, null, null);
    }

    /** A config with the default metadata settings. */
    public CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                           KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits,
                           MirrorConfig mirror, LifecycleConfig lifecycle) {
        this(http, admin, storage, cluster, kafka, auth, rules, limits, mirror, lifecycle, null, null, null);
    }

    /** A config with the default mirror and lifecycle settings. */
    public CargoholdConfig(Endpoint http, Endpoint admin, StorageConfig storage, ClusterConfig cluster,
                           KafkaConfig kafka, AuthConfig auth, List<CacheRule> rules, LimitsConfig limits) {
        this(http, admin, storage, cluster, kafka, auth, rules, limits, null, null, null, null, null);
    }

    /**
     * Mirror mode: {@code defaultRule} is the prefix of the rule that serves names no rule's prefix
     * matches and no {@code ns} parameter places (the Docker daemon's {@code registry-mirrors});
     * null: the Docker Hub rule, when there is exactly one.
     */
    public record MirrorConfig(String defaultRule) {
        public static final MirrorConfig DEFAULT = new MirrorConfig(null);
    }

    /** A host and port to listen on; with {@code tls}, HTTPS only. */
    public record Endpoint(String host, int port, Tls tls) {

        public Endpoint(String host, int port) {
            this(host, port, null);
        }
    }

    /**
     * A listener's PEM files, re-read when they change: {@code certificate} (the chain, leaf first),
     * {@code key} (PKCS#8 or PKCS#1) and, on the admin endpoint only, {@code clientCa}: client
     * certificates signed by it are required.
     */
    public record Tls(String certificate, String key, String clientCa) {
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

    /**
     * Client authentication and authorization on the registry API; absent: anonymous pulls and no policies.
     * {@code account} and {@code region} name the cache itself in repository ARNs ({@code Resource} of policies);
     * {@code tokenKey} is the secret the tokens are signed with (absent: one generated key shared by the cluster);
     * {@code registryPolicy} seeds the registry policy while the cluster has none.
     */
    public record AuthConfig(Boolean anonymousPull, List<User> users, String account, String region,
                             String service, String realm, String tokenKey, Duration tokenTtl,
                             String registryPolicy, List<String> admins) {

        public static final String DEFAULT_ACCOUNT = "000000000000";
        public static final String DEFAULT_REGION = "us-east-1";
        public static final String DEFAULT_SERVICE = "cargohold";
        public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(5);

        public AuthConfig {
            anonymousPull = anonymousPull != null && anonymousPull;
            users = users == null ? List.of() : List.copyOf(users);
            account = account == null ? DEFAULT_ACCOUNT : account;
            region = region == null ? DEFAULT_REGION : region;
            service = service == null ? DEFAULT_SERVICE : service;
            tokenTtl = tokenTtl == null ? DEFAULT_TOKEN_TTL : tokenTtl;
            admins = admins == null ? List.of() : List.copyOf(admins);
        }

        /**
         * How this registry decides: the cache's own account is allowed what no statement denies (it has no
         * identity policies), anonymous principals too with {@code anonymousPull}.
         */
        public Authorizer authorizer() {
            return new Authorizer(RegistryId.of(region, account), Authorizer.OwnAccount.ALLOWED_UNLESS_DENIED,
                    anonymousPull);
        }
    }

    /** A client of the registry API: its bcrypt password hash and the account and organization it acts for. */
    /** A client; {@code accessKeys} sign ECR API requests (SigV4) as this user. */
    public record User(String name, String passwordBcrypt, String account, String org, List<AccessKey> accessKeys) {

        public User {
            accessKeys = accessKeys == null ? List.of() : List.copyOf(accessKeys);
        }

        public User(String name, String passwordBcrypt, String account, String org) {
            this(name, passwordBcrypt, account, org, null);
        }
    }

    /** An AWS-style access key: its id, and its secret as a reference ({@code env:}, {@code file:}, ...). */
    public record AccessKey(String id, String secret) {
    }
}
