package io.cargohold.coordinator.ecr;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * ECR's {@code upstreamRegistry} names and the registry hosts each stands for, to check one against an
 * {@code upstreamRegistryUrl} and to name the registry of a rule.
 */
final class UpstreamRegistries {

    private static final Map<String, Pattern> HOSTS = Map.of(
            "docker-hub", Pattern.compile("(registry-1\\.|index\\.)?docker\\.io"),
            "ecr", Pattern.compile("[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?"),
            "ecr-public", Pattern.compile("public\\.ecr\\.aws"),
            "quay", Pattern.compile("quay\\.io"),
            "k8s", Pattern.compile("registry\\.k8s\\.io"),
            "github-container-registry", Pattern.compile("ghcr\\.io"),
            "azure-container-registry", Pattern.compile("[a-z0-9-]+\\.azurecr\\.io"),
            "gitlab-container-registry", Pattern.compile("registry\\.gitlab\\.com"),
            "chainguard", Pattern.compile("cgr\\.dev"));

    private UpstreamRegistries() {
    }

    /** The URL a rule pulls from: {@code upstreamRegistryUrl} with {@code https://} unless it names its scheme. */
    static String url(String upstreamRegistryUrl) {
        String lower = upstreamRegistryUrl.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://") ? upstreamRegistryUrl
                : "https://" + upstreamRegistryUrl;
    }

    /** The URL as ECR shows it: without {@code https://}; another scheme stays, as it was given. */
    static String shown(String url) {
        return url.toLowerCase(Locale.ROOT).startsWith("https://") ? url.substring("https://".length()) : url;
    }

    /** The {@code upstreamRegistry} of a URL, when it is one ECR names. */
    static Optional<String> of(String url) {
        String host = host(url);
        return HOSTS.entrySet().stream().filter(entry -> entry.getValue().matcher(host).matches())
                .map(Map.Entry::getKey).findFirst();
    }

    /** Checks a given {@code upstreamRegistry} against the URL; an {@code InvalidParameterException} naming both. */
    static void check(String upstreamRegistry, String url) {
        Pattern hosts = HOSTS.get(upstreamRegistry);
        if (hosts == null) {
            throw EcrException.invalid("upstreamRegistry", upstreamRegistry, "must be one of "
                    + HOSTS.keySet().stream().sorted().toList());
        }
        if (!hosts.matcher(host(url)).matches()) {
            throw EcrException.invalid("upstreamRegistry", upstreamRegistry, "does not match upstreamRegistryUrl '"
                    + url + "': " + upstreamRegistry + " is a host matching " + hosts.pattern());
        }
    }

    private static String host(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
