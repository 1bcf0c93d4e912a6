package io.cargohold.meta.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where each node posts its latest counters (a JSON document) for the console, in a Hazelcast map
 * by node name. An entry expires when its node stops posting, so the board shows the nodes that
 * are running; it is not durable.
 */
public final class NodeStatsBoard {

    public static final String MAP = "cargohold.node-stats";
    public static final Duration POST_EVERY = Duration.ofSeconds(5);
    static final Duration TTL = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final IMap<String, String> board;

    public NodeStatsBoard(Vertx vertx, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.board = hazelcast.getMap(MAP);
    }

    public Future<Void> post(String node, JsonObject stats) {
        return Future.fromCompletionStage(board.setAsync(node, stats.encode(), TTL.toSeconds(), TimeUnit.SECONDS),
                vertx.getOrCreateContext());
    }

    /** The latest counters of every node still posting. */
    public Future<List<JsonObject>> all() {
        return vertx.executeBlocking(() -> board.values().stream().map(JsonObject::new).toList(), false);
    }
}
