package io.cargohold.upstream.http;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The JDK's PKIX trust manager (which also checks the host name against the certificate's subject
 * alternative names, the engine being set up for HTTPS identification), telling apart why a server
 * certificate is refused: the JDK says only "No subject alternative names matching IP address ...
 * found" for a name mismatch, without the names the certificate is for.
 */
final class NamingTrustManager extends X509ExtendedTrustManager {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private final X509ExtendedTrustManager pkix;

    NamingTrustManager(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException refused) {
            throw explain(chain, authType, engine == null ? null : engine.getPeerHost(), refused);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException refused) {
            String host = socket == null || socket.getInetAddress() == null ? null
                    : socket.getInetAddress().getHostAddress();
            throw explain(chain, authType, host, refused);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType);
        } catch (CertificateException refused) {
            throw untrusted(refused);
        }
    }

    /** A chain that passes without the name check was refused for its name. */
    private CertificateException explain(X509Certificate[] chain, String authType, String host,
                                         CertificateException refused) {
        try {
            pkix.checkServerTrusted(chain, authType);
        } catch (CertificateException untrusted) {
            return untrusted(untrusted);
        }
        return new UpstreamCertificateException("certificate is for " + names(chain[0]) + ", not " + host, refused);
    }

    private static UpstreamCertificateException untrusted(CertificateException refused) {
        String reason = String.valueOf(refused.getMessage())
                .replaceAll("(?:[a-z0-9_]+\\.)+[A-Z][A-Za-z0-9_]*Exception: ", "");
        return new UpstreamCertificateException("certificate not trusted (" + reason + ")", refused);
    }

    /** The certificate's DNS names and IP addresses, or its subject when it has none. */
    static String names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    if (name.get(0) instanceof Integer type && (type == DNS_NAME || type == IP_ADDRESS)) {
                        names.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // fall back to the subject
        }
        return names.isEmpty() ? certificate.getSubjectX500Principal().getName() : String.join(", ", names);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
