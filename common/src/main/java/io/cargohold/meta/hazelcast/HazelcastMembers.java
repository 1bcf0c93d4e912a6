package io.cargohold.meta.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.util.ConcurrencyUtil;
import io.cargohold.spi.DocumentStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;

/**
 * Makes the Hazelcast member a Cargohold process embeds: alone, with no network join, when there is
 * no cluster; or joined over TCP-IP to a listed set of members. Multicast and auto-detection are
 * always off, phone-home is off, and Hazelcast logs through SLF4J.
 */
public final class HazelcastMembers {

    public static final String DEFAULT_CLUSTER_NAME = "cargohold";
    public static final int DEFAULT_PORT = 5801;
    public static final String LOOPBACK = "127.0.0.1";

    private static final int ASYNC_CALLBACK_THREADS = 2;

    private HazelcastMembers() {
    }

    /** A single member that joins nothing, bound to 127.0.0.1 (from port 5801 up). */
    public static Config standaloneConfig() {
        Config config = baseConfig(DEFAULT_CLUSTER_NAME + "-standalone-" + UUID.randomUUID(), LOOPBACK, DEFAULT_PORT);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(false);
        return config;
    }

    /**
     * A member bound to 127.0.0.1 joining {@code members} over TCP-IP; see
     * {@link #clusterConfig(String, String, int, List)}.
     */
    public static Config clusterConfig(String clusterName, int port, List<String> members) {
        return clusterConfig(clusterName, LOOPBACK, port, members);
    }

    /**
     * A member joining {@code members} (each {@code host:port}, listed one by one: ranges are not
     * accepted) over TCP-IP. {@code bindAddress} is the one interface it listens on (it binds that
     * address only), or null or {@code 0.0.0.0} to listen on every interface. The port is
     * incremented when taken.
     */
    public static Config clusterConfig(String clusterName, String bindAddress, int port, List<String> members) {
        Config config = baseConfig(clusterName, bindAddress, port);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(members));
        return config;
    }

    /**
     * A member that finds the others by resolving {@code serviceDns}, the DNS name of a Kubernetes
     * headless Service over every member pod (Hazelcast's Kubernetes discovery in DNS lookup
     * mode: no API permissions needed). It listens on every interface.
     */
    public static Config kubernetesConfig(String clusterName, int port, String serviceDns) {
        Config config = baseConfig(clusterName, null, port);
        config.getNetworkConfig().getJoin().getKubernetesConfig().setEnabled(true)
                .setProperty("service-dns", serviceDns)
                .setProperty("service-port", String.valueOf(port));
        return config;
    }

    /** As {@link #withDurableMaps(Config, DocumentStore, long)} with the default cache size. */
    public static Config withDurableMaps(Config config, DocumentStore documents) {
        return withDurableMaps(config, documents, HazelcastMetadataStore.DEFAULT_CACHE_BYTES);
    }

    /**
     * Makes the metadata and control maps of {@code config} durable in {@code documents}: written through to it
     * and read from it, the metadata maps within {@code cacheBytes} of heap per member (see
     * {@link HazelcastMetadataStore#configureMaps(Config, DocumentStore, long)}). Give every member of a
     * cluster the same document store.
     */
    public static Config withDurableMaps(Config config, DocumentStore documents, long cacheBytes) {
        return ControlMaps.configure(HazelcastMetadataStore.configureMaps(config, documents, cacheBytes), documents);
    }

    /** Starts a member; blocks for a few seconds, so never call it on an event loop. */
    public static HazelcastInstance start(Config config) {
        boundAsyncCallbacks();
        return Hazelcast.newHazelcastInstance(config);
    }

    /**
     * Hazelcast runs the callbacks of its futures (every {@code getAsync} deserializes its value in
     * one, near-cache hits included) on the common fork-join pool, but where that pool has a single
     * thread (machines with fewer than 3 cores) it starts a new thread for each callback instead.
     * On 2 cores that thread start per metadata lookup limited cached manifest GETs to a few
     * hundred per second; a small pool of its own does what the common pool does on larger machines.
     * (Hazelcast offers no public setting for this executor.)
     */
    private static synchronized void boundAsyncCallbacks() {
        if (ForkJoinPool.getCommonPoolParallelism() <= 1
                && !(ConcurrencyUtil.getDefaultAsyncExecutor() instanceof ForkJoinPool)) {
            ConcurrencyUtil.setDefaultAsyncExecutor(new ForkJoinPool(ASYNC_CALLBACK_THREADS,
                    ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true));
        }
    }

    /** Starts a member on a worker thread. */
    public static Future<HazelcastInstance> start(Vertx vertx, Config config) {
        return vertx.executeBlocking(() -> start(config), false);
    }

    private static Config baseConfig(String clusterName, String bindAddress, int port) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // A member that crashed is dropped after 15 s without heartbeats rather than Hazelcast's 60 s:
        // until then, operations on the partitions it owned wait on it, and pulls with them.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "2");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(true);
        if (bindAddress != null && !bindAddress.equals("0.0.0.0")) {
            config.setProperty("hazelcast.socket.bind.any", "false");
            network.getInterfaces().setEnabled(true).addInterface(bindAddress);
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        return config;
    }
}
