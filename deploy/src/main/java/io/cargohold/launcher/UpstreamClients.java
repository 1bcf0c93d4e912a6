package io.cargohold.launcher;

import io.cargohold.config.CacheRule;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.edge.proxy.Upstreams;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's clients of the rules' upstream registries: one HTTP client, and each rule's credentials,
 * read once per rule and kept; closing it stops the credentials' background refreshes.
 */
final class UpstreamClients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClients.class);
    private static final int UPSTREAM_CONNECTIONS_PER_HOST = 32;
    private static final int UPSTREAM_MAX_CHUNK_SIZE = 64 * 1024;

    private final Vertx vertx;
    private final Map<CacheRule, CredentialsProvider> credentials = new ConcurrentHashMap<>();

    UpstreamClients(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The upstreams of the rules; the credentials of {@code rules} are read at once (see below). */
    Upstreams upstreams(List<CacheRule> rules) {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(10_000)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS)
                        // Blob bodies arrive in chunks of at most this size (Vert.x's default is
                        // 8 KiB). Each chunk is one write to the spool file and one hand-off to every
                        // client following the fill, so 8 KiB chunks made a miss several times slower
                        // than the upstream; a whole socket read (up to 64 KiB) now stays one chunk.
                        .setMaxChunkSize(UPSTREAM_MAX_CHUNK_SIZE),
                new PoolOptions().setHttp1MaxSize(UPSTREAM_CONNECTIONS_PER_HOST));
        warnUnreadableCredentials(rules);
        return new Upstreams(rule -> new HttpUpstreamClient(vertx, http, rule.upstreamUri(), credentials(rule)));
    }

    private CredentialsProvider credentials(CacheRule rule) {
        return credentials.computeIfAbsent(rule, r -> RuleCredentials.provider(vertx, r));
    }

    /**
     * Reads every rule's credentials once in the background and logs the ones that cannot be read:
     * an upstream secret unreadable for a while must not stop the cache, whose other rules still work.
     */
    private void warnUnreadableCredentials(List<CacheRule> rules) {
        for (int i = 0; i < rules.size(); i++) {
            if (credentials(rules.get(i)) instanceof CachingCredentialsProvider provider) {
                provider.validate("rules[" + i + "].credentials").onSuccess(check -> {
                    if (!check.readable()) {
                        LOG.warn("{} (pulls through this rule fail until it can be read)", check.message());
                    }
                });
            }
        }
    }

    @Override
    public void close() {
        credentials.values().forEach(provider -> {
            if (provider instanceof CachingCredentialsProvider caching) {
                caching.close();
            }
        });
    }
}
