package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.credentials.SecretValue;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a node takes from {@code auth} before its roles start: the registry policy it seeds the cluster with. */
final class NodeAccess {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAccess.class);

    private NodeAccess() {
    }

    /** {@code auth.registryPolicy} becomes the registry policy while the cluster has none. */
    static void seedRegistryPolicy(CargoholdConfig config, HazelcastRegistryDocuments registryDocuments) {
        String reference = config.auth() == null ? null : config.auth().registryPolicy();
        if (reference == null) {
            return;
        }
        String policy = SecretValue.resolve("auth.registryPolicy", reference, System.getenv());
        try {
            Policy.parse(policy);
        } catch (PolicyException e) {
            throw new ConfigException("auth.registryPolicy: '" + reference + "' is not a valid policy: "
                    + e.getMessage(), e);
        }
        if (registryDocuments.seedRegistryPolicy(policy)) {
            LOG.info("registry policy seeded from auth.registryPolicy");
        }
    }
}
