package io.cargohold.launcher;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.config.SecretValue;
import io.cargohold.edge.auth.PolicyAccessControl;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.edge.proxy.PullThrough;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.policy.Authorizer;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who may do what on a node, from {@code auth}: the registry API's access check, the policies' authorizer. */
final class NodeAccess {

    private static final Logger LOG = LoggerFactory.getLogger(NodeAccess.class);

    private NodeAccess() {
    }

    /**
     * Client authentication and policies on the registry API when the config has {@code auth}: tokens signed with
     * {@code auth.tokenKey}, or else with the key the cluster shares.
     */
    static Future<RegistryAccess> registryAccess(Vertx vertx, CargoholdConfig config, PullThrough pullThrough,
                                                 HazelcastRegistryDocuments registryDocuments) {
        CargoholdConfig.AuthConfig auth = config.auth();
        if (auth == null) {
            return Future.succeededFuture(RegistryAccess.ANONYMOUS);
        }
        return vertx.executeBlocking(() -> auth.tokenKey() != null
                        ? SecretValue.resolve("auth.tokenKey", auth.tokenKey(), System.getenv())
                        : registryDocuments.sharedTokenKey(), false)
                .map(key -> PolicyAccessControl.create(vertx, auth, key, pullThrough, registryDocuments,
                        registryDocuments));
    }

    /**
     * How the control API simulates decisions: as the edges decide; without {@code auth}, where the edges enforce
     * no policies, as they would with the default {@code auth} settings and anonymous pulls on.
     */
    static Authorizer authorizer(CargoholdConfig config) {
        CargoholdConfig.AuthConfig auth = config.auth() != null ? config.auth()
                : new CargoholdConfig.AuthConfig(true, null, null, null, null, null, null, null, null, null);
        return auth.authorizer();
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
