package io.cargohold.edge.proxy;

import io.cargohold.config.CacheRule;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.RegistryException;

import java.util.Comparator;
import java.util.List;

/** Finds the cache rule of a repository name: the longest matching prefix wins. */
public final class RuleResolver {

    private volatile List<CacheRule> rules;

    public RuleResolver(List<CacheRule> rules) {
        replace(rules);
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
        String value = name.value();
        for (CacheRule rule : rules) {
            if (value.startsWith(rule.prefix() + "/")) {
                String rest = value.substring(rule.prefix().length() + 1);
                String canonical = rule.isDockerHub() && !rest.contains("/")
                        ? rule.prefix() + "/library/" + rest : value;
                return new ProxyTarget(canonical, rule, rule.upstreamRepository(rest));
            }
        }
        throw RegistryException.nameUnknown(value);
    }
}
