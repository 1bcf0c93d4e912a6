package io.cargohold.cache;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.config.CacheRule;
import io.cargohold.config.CacheRuleJson;
import io.cargohold.meta.hazelcast.ControlMaps;
import io.cargohold.meta.hazelcast.LiveMap;
import io.cargohold.spi.RepositoryTemplate;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps this node's rules and creation templates in step with the control plane's cluster maps:
 * the resolver answers from the config file's rules plus the API's, the templates from the API's,
 * within milliseconds of a change anywhere in the cluster and without a restart.
 */
public final class ClusterControl implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);

    private final LiveMap rules;
    private final LiveMap templates;

    private ClusterControl(LiveMap rules, LiveMap templates) {
        this.rules = rules;
        this.templates = templates;
    }

    /** Follows the maps from now on; blocks while it reads them once (not on an event loop). */
    public static ClusterControl follow(HazelcastInstance hazelcast, List<CacheRule> configRules, PullThrough cache) {
        LiveMap rules = LiveMap.follow(hazelcast, ControlMaps.RULES,
                stored -> cache.rules().replace(merge(configRules, stored)));
        LiveMap templates = LiveMap.follow(hazelcast, ControlMaps.TEMPLATES,
                stored -> cache.templates().replace(stored.values().stream()
                        .map(text -> RepositoryTemplate.fromJson(new JsonObject(text))).toList()));
        return new ClusterControl(rules, templates);
    }

    /** The config file's rules, then the cluster's; the API refuses a prefix the file has. */
    private static List<CacheRule> merge(List<CacheRule> configRules, Map<String, String> stored) {
        List<CacheRule> all = new ArrayList<>(configRules);
        stored.forEach((prefix, text) -> {
            try {
                all.add(CacheRuleJson.fromJson("rules." + prefix, new JsonObject(text)));
            } catch (RuntimeException e) {
                LOG.warn("ignoring the stored rule {}: {}", prefix, e.getMessage());
            }
        });
        return all;
    }

    @Override
    public void close() {
        rules.close();
        templates.close();
    }
}
