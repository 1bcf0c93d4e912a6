package io.cargohold.cache;

import com.hazelcast.core.HazelcastInstance;
import io.cargohold.oci.Digest;
import io.cargohold.spi.BlobContent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * How edges read the blobs other edges are fetching: the edge holding a blob's fetch lease serves
 * its spool, as it grows, at {@code GET <registry>/internal/v1/fills/<digest>?offset=N}, so a
 * client of any edge gets bytes as soon as they reach the fetching one instead of after it stored
 * the whole blob. The requests carry a key every member of the Hazelcast cluster shares, and only
 * they: the endpoint is on the registry port, which clients reach too.
 */
public final class FillPeers {

    public static final String PATH = "/internal/v1/fills/";
    public static final String KEY_HEADER = "X-Cargohold-Peer-Key";
    private static final String KEY_MAP = "cargohold.cluster";
    /** A peer's body may pause as long as the upstream it follows may (UpstreamTimeouts' idle). */
    private static final int IDLE_SECONDS = 60;
    private static final int CONNECT_MILLIS = 2000;

    private final HttpClient client;
    private final byte[] key;

    private FillPeers(HttpClient client, String key) {
        this.client = client;
        this.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** No peer reads: a single node, or a process that serves no registry. */
    public static FillPeers none() {
        return new FillPeers(null, null);
    }

    /** Peer reads with the cluster's key, made at its first member's start; blocks (not on an event loop). */
    public static FillPeers join(Vertx vertx, HazelcastInstance hazelcast) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String fresh = HexFormat.of().formatHex(random);
        String stored = hazelcast.<String, String>getMap(KEY_MAP).putIfAbsent("peer-key", fresh);
        // An edge with http.tls serves its fills over HTTPS at its Hazelcast member address, which its
        // certificate need not name; the key authenticates the peer and the reader checks the digest.
        return new FillPeers(vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(CONNECT_MILLIS).setIdleTimeout(IDLE_SECONDS)
                .setTrustAll(true).setVerifyHost(false)),
                stored == null ? fresh : stored);
    }

    boolean enabled() {
        return client != null;
    }

    /** True when a request carries the cluster's key. */
    public boolean admits(String presented) {
        return key != null && presented != null
                && MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes of {@code digest} from {@code offset} on, as the peer at {@code holder} receives
     * them; the body is paused, its length the rest of the blob. Fails when the peer does not fill it.
     */
    Future<BlobContent.Stream> read(URI holder, Digest digest, long offset) {
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(holder.resolve(PATH + digest.value() + "?offset=" + offset).toString())
                .putHeader(KEY_HEADER, new String(key, StandardCharsets.UTF_8));
        return client.request(request).compose(outgoing -> outgoing.send()).compose(response -> {
            response.pause();
            if (response.statusCode() != 200) {
                response.request().reset();
                return Future.failedFuture(new IllegalStateException("the peer " + holder + " answered "
                        + response.statusCode() + " for " + digest));
            }
            String length = response.getHeader("Content-Length");
            return Future.succeededFuture(new BlobContent.Stream(response, length == null ? -1 : Long.parseLong(length)));
        });
    }
}
