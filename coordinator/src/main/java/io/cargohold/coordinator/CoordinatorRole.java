package io.cargohold.coordinator;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.coordinator.api.AdminAccess;
import io.cargohold.coordinator.api.ControlApi;
import io.cargohold.coordinator.console.Console;
import io.cargohold.coordinator.ecr.EcrApi;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.node.NodeParts;
import io.cargohold.policy.Authorizer;
import io.vertx.ext.web.Router;

/**
 * The control plane of a process, on its admin endpoint: the console, the control API and the ECR API, open to
 * the admins of {@code auth} only when the config has {@code auth}.
 */
public final class CoordinatorRole implements AutoCloseable {

    private final NodeParts parts;
    private final long sampling;

    private CoordinatorRole(NodeParts parts, long sampling) {
        this.parts = parts;
        this.sampling = sampling;
    }

    /** Serves the control plane on {@code router}; {@code registryUrl} is where the ECR API sends clients. */
    public static CoordinatorRole mount(NodeParts parts, Router router, String registryUrl) {
        CargoholdConfig config = parts.config();
        AdminAccess.of(parts.vertx(), config.auth()).protect(router);
        long sampling = Console.mount(parts.vertx(), router, new NodeStatsBoard(parts.vertx(), parts.hazelcast()),
                parts.metadata(), () -> parts.cache().rules().rules());
        ControlApi.Operations operations = ControlApi.mount(router, new ControlApi.Dependencies(parts.vertx(),
                parts.hazelcast(), parts.cache(), config.rules(), parts.events(), parts.name(), authorizer(config),
                config.upstreamTls()));
        EcrApi.mount(router, new EcrApi.Dependencies(parts.vertx(), operations, config.auth(), registryUrl));
        return new CoordinatorRole(parts, sampling);
    }

    /**
     * How the control API simulates decisions: as the edges decide; without {@code auth}, where the edges enforce
     * no policies, as they would with the default {@code auth} settings and anonymous pulls on.
     */
    private static Authorizer authorizer(CargoholdConfig config) {
        CargoholdConfig.AuthConfig auth = config.auth() != null ? config.auth()
                : new CargoholdConfig.AuthConfig(true, null, null, null, null, null, null, null, null, null);
        return auth.authorizer();
    }

    @Override
    public void close() {
        parts.vertx().cancelTimer(sampling);
    }
}
