package io.cargohold.tls;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Follows a listener's PEM files, which cert-manager and Kubernetes secrets replace in place: every
 * {@link #POLL} it hashes them and, when they changed and pass {@link ListenerTls}' checks, hands
 * the servers the new certificate. New connections get it; open ones keep theirs and are not
 * dropped. Files that fail the checks are logged once and the certificate in use stays.
 */
public final class CertificateReloader implements AutoCloseable {

    public static final Duration POLL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final Vertx vertx;
    private final String configKey;
    private final CargoholdConfig.Tls files;
    private final boolean clientCaAllowed;
    private final List<HttpServer> servers;
    private final AtomicBoolean checking = new AtomicBoolean();
    private final long timer;
    private volatile String current;
    private volatile String rejected;

    private CertificateReloader(Vertx vertx, String configKey, CargoholdConfig.Tls files, boolean clientCaAllowed,
                                ListenerTls served, List<HttpServer> servers) {
        this.vertx = vertx;
        this.configKey = configKey;
        this.files = files;
        this.clientCaAllowed = clientCaAllowed;
        this.servers = List.copyOf(servers);
        this.current = served.fingerprint();
        this.timer = vertx.setPeriodic(POLL.toMillis(), id -> check());
    }

    /** Follows the files of {@code configKey} that {@code servers} now serve as {@code served}. */
    public static CertificateReloader follow(Vertx vertx, String configKey, CargoholdConfig.Tls files,
                                             boolean clientCaAllowed, ListenerTls served, List<HttpServer> servers) {
        return new CertificateReloader(vertx, configKey, files, clientCaAllowed, served, servers);
    }

    private void check() {
        if (!checking.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(this::changedFiles, false)
                .compose(next -> next == null ? Future.succeededFuture() : install(next))
                .onComplete(done -> checking.set(false));
    }

    /** The files' new content when it changed and is usable; null otherwise. Blocks on file reads. */
    private ListenerTls changedFiles() {
        String fingerprint = ListenerTls.fingerprintOf(files);
        if (fingerprint.equals(current) || fingerprint.equals(rejected)) {
            return null;
        }
        try {
            return ListenerTls.read(configKey, files, clientCaAllowed);
        } catch (ConfigException e) {
            rejected = fingerprint;
            LOG.warn("{}: the changed files are not used, the certificate in use stays: {}", configKey, e.getMessage());
            return null;
        }
    }

    private Future<Void> install(ListenerTls next) {
        return Future.all(servers.stream().map(server -> server.updateSSLOptions(next.sslOptions())).toList())
                .<Void>mapEmpty()
                .onSuccess(v -> {
                    current = next.fingerprint();
                    LOG.info("{}: new certificate in use: serial {}, {}, valid until {}", configKey,
                            next.certificate().getSerialNumber().toString(16),
                            next.certificate().getSubjectX500Principal(), next.certificate().getNotAfter().toInstant());
                })
                .onFailure(e -> {
                    rejected = next.fingerprint();
                    LOG.warn("{}: the changed files are not used, the certificate in use stays: {}", configKey,
                            e.toString());
                });
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }
}
