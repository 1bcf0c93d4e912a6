package io.cargohold.launcher;

import io.cargohold.cache.Upstreams;
import io.cargohold.config.CacheRule;
import io.cargohold.config.ConfigException;
import io.cargohold.config.UpstreamTls;
import io.cargohold.credentials.CachingCredentialsProvider;
import io.cargohold.credentials.RuleCredentials;
import io.cargohold.spi.CredentialsProvider;
import io.cargohold.upstream.http.HttpUpstreamClient;
import io.cargohold.upstream.http.UpstreamTrust;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's clients of the rules' upstream registries: one HTTP client per set of TLS settings
 * (a rule's {@code tls} over the top-level {@code upstreamTls}), and each rule's credentials, read
 * once per rule and kept; closing it stops the credentials' background refreshes.
 */
final class UpstreamClients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClients.class);
    private static final int UPSTREAM_CONNECTIONS_PER_HOST = 32;
    private static final int UPSTREAM_MAX_CHUNK_SIZE = 64 * 1024;

    private final Vertx vertx;
    private final UpstreamTls defaultTls;
    private final Map<CacheRule, CredentialsProvider> credentials = new ConcurrentHashMap<>();
    private final Map<UpstreamTls, HttpClient> httpClients = new ConcurrentHashMap<>();
    private final Set<CacheRule> warnedInsecure = ConcurrentHashMap.newKeySet();

    UpstreamClients(Vertx vertx, UpstreamTls defaultTls) {
        this.vertx = vertx;
        this.defaultTls = defaultTls;
    }

    /**
     * The upstreams of the rules; the credentials of {@code rules} are read at once (see below),
     * and a rule that skips certificate checks is logged now, as is every later version of a rule
     * that does when its client is made.
     */
    Upstreams upstreams(List<CacheRule> rules) {
        warnUnreadableCredentials(rules);
        rules.forEach(this::warnIfInsecure);
        return new Upstreams(rule -> {
            warnIfInsecure(rule);
            return new HttpUpstreamClient(vertx, http(rule), rule.upstreamUri(), credentials(rule));
        });
    }

    private void warnIfInsecure(CacheRule rule) {
        if (rule.tls().over(defaultTls).skipsVerification() && warnedInsecure.add(rule)) {
            LOG.warn("rule {}: tls.insecureSkipVerify is true: any certificate, for any name, is accepted from {} "
                    + "and the hosts it redirects to", rule.prefix(), rule.upstreamUrl());
        }
    }

    /**
     * The HTTP client for the rule's TLS settings. Settings whose files cannot be used (removed since
     * the config was checked, or an API rule naming a file this node lacks) give a client whose TLS
     * connections all fail with that reason, and are read again for the rule's next version.
     */
    private HttpClient http(CacheRule rule) {
        UpstreamTls tls = rule.tls().over(defaultTls);
        String key = "rules." + rule.prefix() + ".tls";
        try {
            return httpClients.computeIfAbsent(tls, settings -> newHttpClient(UpstreamTrust.load(key, settings)));
        } catch (ConfigException unusable) {
            LOG.error("{} (TLS connections to {} fail until the rule changes)", unusable.getMessage(),
                    rule.upstreamUrl());
            return newHttpClient(UpstreamTrust.refusing(unusable.getMessage()));
        }
    }

    private HttpClient newHttpClient(UpstreamTrust trust) {
        return vertx.createHttpClient(trust.applyTo(new HttpClientOptions()
                        .setConnectTimeout(10_000)
                        .setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS)
                        // Blob bodies arrive in chunks of at most this size (Vert.x's default is
                        // 8 KiB). Each chunk is one write to the spool file and one hand-off to every
                        // client following the fill, so 8 KiB chunks made a miss several times slower
                        // than the upstream; a whole socket read (up to 64 KiB) now stays one chunk.
                        .setMaxChunkSize(UPSTREAM_MAX_CHUNK_SIZE)),
                new PoolOptions().setHttp1MaxSize(UPSTREAM_CONNECTIONS_PER_HOST));
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
