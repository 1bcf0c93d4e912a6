package io.cargohold.config;

import io.cargohold.oci.Platform;

import java.net.URI;
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
 * from the top-level {@code upstreamTls}).
 */
public record CacheRule(String prefix, String upstreamUrl, String upstreamRepositoryPrefix, String credentials,
                        Duration refreshInterval, List<String> platforms, String customRoleArn, Aws aws,
                        String quota, String tagsList, Duration revalidateTimeout, UpstreamTls tls) {

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
