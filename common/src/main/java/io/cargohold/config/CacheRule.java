package io.cargohold.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.cargohold.gate.PublicKeys;
import io.cargohold.oci.Platform;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps repositories under {@code prefix} to an upstream registry: {@code <prefix>/<rest>} is
 * fetched as {@code <upstreamRepositoryPrefix>/<rest>} from {@code upstreamUrl}. {@code platforms}
 * ({@code os/architecture}) limits which images of an index are prefetched; empty means all.
 * {@code credentials} is a reference (see {@link SecretReference}); {@code customRoleArn} is an IAM
 * role assumed through STS before the AWS calls of {@code aws-ecr} and {@code aws-secretsmanager:}
 * references, and {@code aws} sets their region and endpoint. {@code quota} is the byte budget of the
 * rule's repositories ({@link ByteSize}; null: none), kept by the lifecycle worker. {@code tagsList} says
 * what {@code tags/list} answers: {@value #TAGS_LIST_UPSTREAM} (the default: the upstream's tags, so tools
 * looking for newer versions through the cache see them) or {@value #TAGS_LIST_CACHED} (only cached tags).
 * {@code revalidateTimeout} is how long a client waits on the re-check of a cached tag before it is
 * answered from the cache, with a {@code Warning}, while the re-check goes on in the background.
 * {@code tls} says how the upstream's certificate is trusted ({@link UpstreamTls}; keys left out come
 * from the top-level {@code upstreamTls}). {@code gate} holds what the rule lets in ({@link Gate}: the
 * config file's {@code allow}, {@code deny}, {@code verify} and {@code warm}).
 */
public record CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                        Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws,
                        String quota, String tagsList, Duration revalidateTimeout, UpstreamTls tls, Gate gate) {

    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofHours(24);
    public static final Duration DEFAULT_REVALIDATE_TIMEOUT = Duration.ofSeconds(2);
    public static final String TAGS_LIST_UPSTREAM = "upstream";
    public static final String TAGS_LIST_CACHED = "cached";
    private static final Set<String> DOCKER_HUB_HOSTS =
            Set.of("registry-1.docker.io", "docker.io", "index.docker.io", "registry.hub.docker.com");
    /**
     * Parsed upstream URLs: every request resolves its rule through {@link #isDockerHub()}, and
     * parsing the URL each time was a tenth of a cached manifest GET. As many as rules ever configured.
     */
    private static final Map<String, URI> UPSTREAM_URIS = new ConcurrentHashMap<>();

    public CacheRule {
        upstreamRepositoryPrefix = upstreamRepositoryPrefix == null ? "" : upstreamRepositoryPrefix;
        refreshInterval = refreshInterval == null ? DEFAULT_REFRESH_INTERVAL : refreshInterval;
        platforms = platforms == null ? List.of() : List.copyOf(platforms);
        aws = aws == null ? Aws.DEFAULT : aws;
        tagsList = tagsList == null ? TAGS_LIST_UPSTREAM : tagsList;
        revalidateTimeout = revalidateTimeout == null ? DEFAULT_REVALIDATE_TIMEOUT : revalidateTimeout;
        tls = tls == null ? UpstreamTls.NONE : tls;
        gate = gate == null ? Gate.NONE : gate;
    }

    /** A rule that lets every image in: no allow or deny list, no signature check, nothing warmed. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws, String quota,
                     String tagsList, Duration revalidateTimeout, UpstreamTls tls) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, customRoleArn,
                aws, quota, tagsList, revalidateTimeout, tls, null);
    }

    /**
     * A rule as the config file writes it, the gate's keys beside the others; {@code verify} is read
     * by {@link Verify#read}, so keyless settings fail naming their key.
     */
    @JsonCreator
    static CacheRule fromConfig(@JsonProperty("prefix") String prefix, @JsonProperty("upstreamUrl") String upstreamUrl,
                                @JsonProperty("upstreamRepositoryPrefix") String upstreamRepositoryPrefix,
                                @JsonProperty("credentials") String credentials,
                                @JsonProperty("refreshInterval") Duration refreshInterval,
                                @JsonProperty("platforms") List<String> platforms,
                                @JsonProperty("customRoleArn") String customRoleArn, @JsonProperty("aws") Aws aws,
                                @JsonProperty("quota") String quota, @JsonProperty("tagsList") String tagsList,
                                @JsonProperty("revalidateTimeout") Duration revalidateTimeout,
                                @JsonProperty("tls") UpstreamTls tls, @JsonProperty("allow") List<String> allow,
                                @JsonProperty("deny") List<String> deny,
                                @JsonProperty("verify") Map<String, Object> verify,
                                @JsonProperty("warm") List<String> warm) {
        return new CacheRule(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms,
                customRoleArn, aws, quota, tagsList, revalidateTimeout, tls,
                new Gate(allow, deny, Verify.read("verify", verify), warm));
    }

    /** A rule whose upstream is trusted as the top-level {@code upstreamTls} says. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws, String quota,
                     String tagsList, Duration revalidateTimeout) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, customRoleArn,
                aws, quota, tagsList, revalidateTimeout, null);
    }

    /** A rule whose clients wait at most {@link #DEFAULT_REVALIDATE_TIMEOUT} on a tag's re-check. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws, String quota,
                     String tagsList) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, customRoleArn,
                aws, quota, tagsList, (Duration) null);
    }

    /** A rule whose tags/list answers the upstream's tags. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws, String quota) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, customRoleArn,
                aws, quota, null);
    }

    /** A rule without a quota. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, customRoleArn,
                aws, null);
    }

    /** A rule without AWS settings or a quota. */
    public CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                     Duration refreshInterval, List<String> platforms) {
        this(prefix, upstreamUrl, upstreamRepositoryPrefix, credentials, refreshInterval, platforms, null, null);
    }

    /**
     * Where the AWS calls of a rule go: {@code region} (default: from the secret's ARN, from an ECR
     * upstream's host name, else the SDK's default region chain) and {@code endpointOverride}, an
     * AWS-compatible endpoint used for Secrets Manager, ECR and STS alike (private endpoints, tests).
     */
    public record Aws(String region, String endpointOverride) {
        public static final Aws DEFAULT = new Aws(null, null);
    }

    /**
     * What a rule lets in. {@code allow} and {@code deny} are patterns over {@code <upstream repository>[:<tag>]}
     * ({@code io.cargohold.gate.ImagePattern}; an empty {@code allow} allows every name); {@code verify}, when
     * set, requires a cosign signature by one of its keys before an image is cached; {@code warm} lists
     * {@code <repository>:<tag>} or {@code <repository>@<digest>} images, named as below the rule's prefix,
     * that are fetched ahead of any pull and kept.
     */
    public record Gate(List<String> allow, List<String> deny, Verify verify, List<String> warm) {

        public static final Gate NONE = new Gate(null, null, null, null);

        public Gate {
            allow = allow == null ? List.of() : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
            warm = warm == null ? List.of() : List.copyOf(warm);
        }

        /** Whether images must carry a signature by one of {@code verify}'s keys. */
        public boolean verifies() {
            return verify != null;
        }
    }

    /**
     * Signature verification: {@code cosign.publicKeys} are references ({@link SecretText}:
     * {@code file:PATH}, {@code env:NAME}, {@code aws-secretsmanager:ARN_OR_NAME} or the PEM itself)
     * to PEM public keys ({@code io.cargohold.gate.PublicKeys}). Keyless verification (Fulcio, Rekor)
     * is not supported yet.
     */
    public record Verify(Cosign cosign) {

        public static final String KEYLESS_UNSUPPORTED = "keyless verification is not supported yet; give publicKeys";
        private static final Set<String> KEYLESS = Set.of("keyless", "fulcio", "rekor", "identities", "identity",
                "issuer", "subject", "oidcIssuer", "ctlog", "tlog", "transparencyLog");

        /**
         * Reads {@code verify} as written ({@code {cosign: {publicKeys: [...]}}}) from nested maps or
         * JSON objects; null stays null. A keyless setting or an unknown key fails naming
         * {@code key.cosign.<field>}.
         */
        public static Verify read(String key, Map<String, ?> verify) {
            if (verify == null) {
                return null;
            }
            fields(key, verify, "cosign", "a verify setting");
            Map<String, ?> cosign = map(key + ".cosign", verify.get("cosign"));
            if (cosign == null) {
                return new Verify(null);
            }
            fields(key + ".cosign", cosign, "publicKeys", "a cosign setting");
            return new Verify(new Cosign(strings(key + ".cosign.publicKeys", cosign.get("publicKeys"))));
        }

        /** The configured key references; empty when none are given. */
        public List<String> publicKeys() {
            return cosign == null ? List.of() : cosign.publicKeys();
        }

        /**
         * Parses the PEM read from {@code reference}; a failure names {@code key} and the reference (its first
         * line, for an inline PEM).
         */
        public static PublicKey parseKey(String key, String reference, String pem) {
            try {
                return PublicKeys.parse(pem);
            } catch (IllegalArgumentException e) {
                String firstLine = reference.lines().findFirst().orElse(reference);
                throw new ConfigException(key, firstLine.equals(reference) ? reference : firstLine + "...",
                        e.getMessage());
            }
        }

        private static void fields(String key, Map<String, ?> settings, String known, String what) {
            for (Map.Entry<String, ?> field : settings.entrySet()) {
                if (isKeyless(field.getKey())) {
                    throw new ConfigException(key + "." + field.getKey(), field.getValue(), KEYLESS_UNSUPPORTED);
                }
                if (!field.getKey().equals(known)) {
                    throw new ConfigException(key + "." + field.getKey(), field.getValue(), "is not " + what
                            + " (one of [" + known + "])");
                }
            }
        }

        private static boolean isKeyless(String field) {
            return KEYLESS.contains(field) || field.startsWith("certificate");
        }

        @SuppressWarnings("unchecked")
        private static Map<String, ?> map(String key, Object value) {
            if (value == null) {
                return null;
            }
            if (value instanceof JsonObject json) {
                return json.getMap();
            }
            if (value instanceof Map<?, ?> map) {
                return (Map<String, ?>) map;
            }
            throw new ConfigException(key, value, "must be a mapping");
        }

        private static List<String> strings(String key, Object value) {
            if (value == null) {
                return null;
            }
            List<?> list = value instanceof JsonArray json ? json.getList() : value instanceof List<?> l ? l : null;
            if (list == null) {
                throw new ConfigException(key, value, "must be a list");
            }
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String)) {
                    throw new ConfigException(key + "[" + i + "]", list.get(i), "must be a string");
                }
            }
            return list.stream().map(String.class::cast).toList();
        }
    }

    /** Cosign's key-based verification: the references of the public keys a signature may verify against. */
    public record Cosign(List<String> publicKeys) {

        public Cosign {
            publicKeys = publicKeys == null ? List.of() : List.copyOf(publicKeys);
        }
    }

    /** A rule for {@code prefix} with every optional setting at its default. */
    public static CacheRule of(String prefix, String upstreamUrl) {
        return new CacheRule(prefix, upstreamUrl, null, null, null, null);
    }

    /** Whether the image of an index entry for {@code platform} is prefetched. */
    public boolean prefetches(Platform platform) {
        return platforms.isEmpty() || (platform != null
                && platforms.contains(platform.os() + "/" + platform.architecture()));
    }

    /** Whether tags/list answers the upstream's tags rather than only the cached ones. */
    public boolean listsUpstreamTags() {
        return TAGS_LIST_UPSTREAM.equals(tagsList);
    }

    /** The rule's byte budget, or empty when it has none. */
    public OptionalLong quotaBytes() {
        return quota == null ? OptionalLong.empty() : OptionalLong.of(ByteSize.parse(quota));
    }

    public URI upstreamUri() {
        return UPSTREAM_URIS.computeIfAbsent(upstreamUrl, URI::create);
    }

    /** Docker Hub names official images {@code library/<name>} and lets clients leave that out. */
    public boolean isDockerHub() {
        return DOCKER_HUB_HOSTS.contains(upstreamUri().getHost());
    }

    /**
     * True when {@code host} (a registry host, with its port when it has one: containerd's
     * {@code ns}) names this rule's upstream; Docker Hub's host names are aliases of each other.
     */
    public boolean servesHost(String host) {
        URI upstream = upstreamUri();
        if (isDockerHub()) {
            return DOCKER_HUB_HOSTS.contains(host.toLowerCase(Locale.ROOT));
        }
        return host.equalsIgnoreCase(upstream.getAuthority())
                || (upstream.getPort() == -1 && host.equalsIgnoreCase(upstream.getHost()));
    }

    /** The upstream repository for {@code rest}, the part of a name after this rule's prefix. */
    public String upstreamRepository(String rest) {
        String name = isDockerHub() && upstreamRepositoryPrefix.isEmpty() && !rest.contains("/")
                ? "library/" + rest : rest;
        return upstreamRepositoryPrefix.isEmpty() ? name : upstreamRepositoryPrefix + "/" + name;
    }
}
