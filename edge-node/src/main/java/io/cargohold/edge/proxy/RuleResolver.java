package io.cargohold.edge.proxy;

import io.cargohold.config.CacheRule;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.RegistryException;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the cache rule of a repository name: the longest matching prefix wins. In mirror mode a
 * client asks by the upstream's own name: containerd says which registry it means with the
 * {@code ns} parameter, which picks the rule of that upstream; the Docker daemon says nothing,
 * and a name no prefix matches goes to the default mirror rule.
 */
public final class RuleResolver {

    private final String mirrorDefault;
    private volatile List<CacheRule> rules;

    /**
     * @param mirrorDefault the prefix of the rule for unprefixed names without {@code ns}; null for
     *                      the Docker Hub rule when there is exactly one
     */
    public RuleResolver(List<CacheRule> rules, String mirrorDefault) {
        this.mirrorDefault = mirrorDefault;
        replace(rules);
    }

    public RuleResolver(List<CacheRule> rules) {
        this(rules, null);
    }

    /** Swaps the rule set at once; requests in flight keep the rule they resolved. */
    public void replace(List<CacheRule> newRules) {
        rules = newRules.stream()
                .sorted(Comparator.comparingInt((CacheRule rule) -> rule.prefix().length()).reversed())
                .toList();
    }

    public List<CacheRule> rules() {
        return rules;
    }

    /** Resolves a validated name; fails with NAME_UNKNOWN when no rule covers it. */
    public ProxyTarget resolve(RepositoryName name) {
        return resolve(name, null);
    }

    /**
     * Resolves a validated name, as a mirror client may send it: {@code namespace} is the registry
     * host of containerd's {@code ns} parameter, or null.
     */
    public ProxyTarget resolve(RepositoryName name, String namespace) {
        String value = name.value();
        if (namespace != null) {
            return rules.stream().filter(rule -> rule.servesHost(namespace)).findFirst()
                    .map(rule -> target(rule, value))
                    .orElseThrow(() -> RegistryException.nameUnknown(namespace + "/" + value));
        }
        for (CacheRule rule : rules) {
            if (value.startsWith(rule.prefix() + "/")) {
                return target(rule, value.substring(rule.prefix().length() + 1));
            }
        }
        return mirrorDefault().map(rule -> target(rule, value))
                .orElseThrow(() -> RegistryException.nameUnknown(value));
    }

    private Optional<CacheRule> mirrorDefault() {
        List<CacheRule> current = rules;
        if (mirrorDefault != null) {
            return current.stream().filter(rule -> rule.prefix().equals(mirrorDefault)).findFirst();
        }
        List<CacheRule> dockerHub = current.stream().filter(CacheRule::isDockerHub).toList();
        return dockerHub.size() == 1 ? Optional.of(dockerHub.get(0)) : Optional.empty();
    }

    /** {@code rest} is the name under the rule; Docker Hub's official images live under {@code library/}. */
    private static ProxyTarget target(CacheRule rule, String rest) {
        String canonical = rule.prefix() + "/" + (rule.isDockerHub() && !rest.contains("/") ? "library/" + rest : rest);
        return new ProxyTarget(canonical, rule, rule.upstreamRepository(rest));
    }
}
