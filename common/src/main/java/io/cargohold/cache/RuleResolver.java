package io.cargohold.cache;

import io.cargohold.config.CacheRule;
import io.cargohold.config.RuleOrder;
import io.cargohold.oci.RepositoryName;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the cache rule of a repository name: the longest matching prefix wins. In mirror mode a
 * client asks by the upstream's own name: containerd says which registry it means with the
 * {@code ns} parameter, which picks the rule of that upstream (of several, the first in
 * {@link RuleOrder#MATCHING}); the Docker daemon says nothing, and a name no prefix matches goes to
 * the default mirror rule. A name no rule serves fails with {@code NAME_UNKNOWN} saying what to change.
 */
public final class RuleResolver {

    private final String mirrorDefault;
    private volatile RuleSet current = new RuleSet(List.of(), Map.of());

    /** The rules in matching order and what each lets in, swapped together. */
    private record RuleSet(List<CacheRule> rules, Map<CacheRule, RuleGate> gates) {
    }

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

    /**
     * Swaps the rule set at once; requests in flight keep the rule they resolved. Blocking: a rule with
     * {@code verify} has its trusted keys read.
     */
    public void replace(List<CacheRule> newRules) {
        Map<CacheRule, RuleGate> gates = new HashMap<>();
        for (CacheRule rule : newRules) {
            RuleGate kept = current.gates().get(rule);
            gates.put(rule, kept != null ? kept : RuleGate.of(rule, System.getenv()));
        }
        current = new RuleSet(newRules.stream().sorted(RuleOrder.MATCHING).toList(), Map.copyOf(gates));
    }

    public List<CacheRule> rules() {
        return current.rules();
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
        RuleSet set = current;
        if (namespace != null) {
            return set.rules().stream().filter(rule -> rule.servesHost(namespace)).findFirst()
                    .map(rule -> target(set, rule, value))
                    .orElseThrow(() -> unservedRegistry(namespace, value));
        }
        for (CacheRule rule : set.rules()) {
            if (value.startsWith(rule.prefix() + "/")) {
                return target(set, rule, value.substring(rule.prefix().length() + 1));
            }
        }
        return mirrorDefault(set.rules()).map(rule -> target(set, rule, value))
                .orElseThrow(() -> unprefixed(value));
    }

    private static RegistryException unservedRegistry(String namespace, String name) {
        // Docker Hub's aliases all end so; its registry API is on registry-1.
        String upstream = namespace.endsWith("docker.io") ? "registry-1.docker.io" : namespace;
        return new RegistryException(OciErrorCode.NAME_UNKNOWN, "no rule serves registry " + namespace
                + " (ns); add a rule whose upstreamUrl is https://" + upstream, namespace + "/" + name);
    }

    private RegistryException unprefixed(String name) {
        String why;
        if (mirrorDefault != null) {
            why = "mirror.defaultRule " + mirrorDefault + " names no rule any more; add that rule back, or set "
                    + "mirror.defaultRule to the prefix of another";
        } else {
            long dockerHub = rules().stream().filter(CacheRule::isDockerHub).count();
            why = (dockerHub > 1 ? dockerHub + " rules have Docker Hub as upstream, so none serves names without a "
                    + "prefix; " : "no rule serves names without a prefix; ")
                    + "pull it as <prefix>/" + name + ", or set mirror.defaultRule to the prefix of the rule that "
                    + "should serve such names (the Docker daemon's registry-mirrors send them)";
        }
        return new RegistryException(OciErrorCode.NAME_UNKNOWN, "no rule's prefix matches " + name + ": " + why,
                name);
    }

    private Optional<CacheRule> mirrorDefault(List<CacheRule> current) {
        if (mirrorDefault != null) {
            return current.stream().filter(rule -> rule.prefix().equals(mirrorDefault)).findFirst();
        }
        List<CacheRule> dockerHub = current.stream().filter(CacheRule::isDockerHub).toList();
        return dockerHub.size() == 1 ? Optional.of(dockerHub.get(0)) : Optional.empty();
    }

    /** {@code rest} is the name under the rule; Docker Hub's official images live under {@code library/}. */
    private static ProxyTarget target(RuleSet set, CacheRule rule, String rest) {
        String canonical = rule.prefix() + "/" + (rule.isDockerHub() && !rest.contains("/") ? "library/" + rest : rest);
        return new ProxyTarget(canonical, rule, rule.upstreamRepository(rest), set.gates().get(rule));
    }
}
