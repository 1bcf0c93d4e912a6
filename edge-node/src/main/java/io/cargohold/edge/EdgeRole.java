package io.cargohold.edge;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.credentials.SecretValue;
import io.cargohold.edge.auth.PolicyAccessControl;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.edge.metrics.StatsSnapshot;
import io.cargohold.meta.hazelcast.HazelcastRegistryDocuments;
import io.cargohold.meta.hazelcast.NodeStatsBoard;
import io.cargohold.node.NodeParts;
import io.cargohold.store.tier.LocalTierBlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge role of a process: the registry API ({@link EdgeNode}) over the process's pull-through cache, with
 * client authentication and policies when the config has {@code auth}; it posts this node's stats for the
 * console and, over a local tier, drops the copies of blobs garbage collection deleted from the bucket.
 */
public final class EdgeRole {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeRole.class);

    private final Vertx vertx;
    private final EdgeNode node;
    private final long[] timers;

    private EdgeRole(Vertx vertx, EdgeNode node, long... timers) {
        this.vertx = vertx;
        this.node = node;
        this.timers = timers;
    }

    public static Future<EdgeRole> start(NodeParts parts, HazelcastRegistryDocuments registryDocuments) {
        Vertx vertx = parts.vertx();
        return registryAccess(parts, registryDocuments)
                .compose(access -> EdgeNode.start(vertx, parts.config(), parts.cache(), access, parts.meters()))
                .map(node -> {
                    NodeStatsBoard board = new NodeStatsBoard(vertx, parts.hazelcast());
                    long posting = vertx.setPeriodic(1, NodeStatsBoard.POST_EVERY.toMillis(),
                            tick -> board.post(parts.name(), StatsSnapshot.of(parts.meters())));
                    if (!(parts.blobs() instanceof LocalTierBlobStore tier)) {
                        return new EdgeRole(vertx, node, posting);
                    }
                    long dropping = vertx.setPeriodic(parts.config().lifecycle().interval().toMillis(),
                            id -> tier.dropCollected().onFailure(e -> LOG.warn(
                                    "dropping collected blobs from the local tier failed: {}", e.toString())));
                    return new EdgeRole(vertx, node, posting, dropping);
                });
    }

    /**
     * Client authentication and policies on the registry API when the config has {@code auth}: tokens signed with
     * {@code auth.tokenKey}, or else with the key the cluster shares.
     */
    private static Future<RegistryAccess> registryAccess(NodeParts parts,
                                                         HazelcastRegistryDocuments registryDocuments) {
        CargoholdConfig.AuthConfig auth = parts.config().auth();
        if (auth == null) {
            return Future.succeededFuture(RegistryAccess.ANONYMOUS);
        }
        return parts.vertx().executeBlocking(() -> auth.tokenKey() != null
                        ? SecretValue.resolve("auth.tokenKey", auth.tokenKey(), System.getenv())
                        : registryDocuments.sharedTokenKey(), false)
                .map(key -> PolicyAccessControl.create(parts.vertx(), auth, key, parts.cache(), registryDocuments,
                        registryDocuments));
    }

    public int port() {
        return node.port();
    }

    public boolean tls() {
        return node.tls();
    }

    public Future<Void> close() {
        for (long timer : timers) {
            vertx.cancelTimer(timer);
        }
        return node.close();
    }
}
