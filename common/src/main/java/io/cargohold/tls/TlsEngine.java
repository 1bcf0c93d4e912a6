package io.cargohold.tls;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS implementation of every listener: OpenSSL (BoringSSL from netty-tcnative) where its native
 * library loads, which spends less CPU per byte than the JDK's engine; the JDK's otherwise. Chosen
 * once per process, with one log line saying which.
 */
final class TlsEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TlsEngine.class);
    private static final SSLEngineOptions CHOSEN = choose();

    private TlsEngine() {
    }

    static SSLEngineOptions options() {
        return CHOSEN.copy();
    }

    private static SSLEngineOptions choose() {
        if (OpenSSLEngineOptions.isAvailable()) {
            LOG.info("TLS engine: OpenSSL ({} through netty-tcnative)", OpenSsl.versionString());
            return new OpenSSLEngineOptions();
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        LOG.info("TLS engine: the JDK's (OpenSSL is not available here: {})",
                cause == null ? "unknown reason" : cause.getMessage());
        return new JdkSSLEngineOptions();
    }
}
