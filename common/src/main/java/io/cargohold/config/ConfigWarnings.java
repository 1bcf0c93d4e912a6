package io.cargohold.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings that are valid but likely not what was meant; {@code validate} prints them. Today: rules
 * sharing one upstream registry, of which a mirror request's {@code ns} reaches only one.
 */
public final class ConfigWarnings {

    private ConfigWarnings() {
    }

    public static List<String> of(CargoholdConfig config) {
        Map<String, List<CacheRule>> byUpstream = new LinkedHashMap<>();
        config.rules().stream().sorted(RuleOrder.MATCHING).forEach(rule ->
                byUpstream.computeIfAbsent(registry(rule), key -> new ArrayList<>()).add(rule));
        List<String> warnings = new ArrayList<>();
        byUpstream.forEach((registry, rules) -> {
            if (rules.size() < 2) {
                return;
            }
            List<String> prefixes = rules.stream().map(CacheRule::prefix).toList();
            String warning = "rules " + String.join(", ", prefixes) + " have the same upstream " + registry
                    + ": mirror requests with ns=" + registry + " go to " + prefixes.get(0)
                    + " (the longest prefix, then the first alphabetically); the others serve only their prefixed names";
            if (rules.get(0).isDockerHub() && config.mirror().defaultRule() == null) {
                warning += "; unprefixed names without ns (the Docker daemon's registry-mirrors) find no rule until "
                        + "mirror.defaultRule names one";
            }
            warnings.add(warning);
        });
        return warnings;
    }

    /** The registry a rule's upstream is, as containerd's {@code ns} names it. */
    private static String registry(CacheRule rule) {
        return rule.isDockerHub() ? "docker.io" : rule.upstreamUri().getAuthority().toLowerCase(Locale.ROOT);
    }
}
