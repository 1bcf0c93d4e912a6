package io.cargohold.upstream.http;

import java.security.cert.CertificateException;

/**
 * An upstream's certificate refused by {@link NamingTrustManager}, with a message an operator can act on:
 * "certificate not trusted (PKIX path building failed: ...)" or "certificate is for a.example, not b.example".
 * It travels inside the TLS handshake failure to {@link UpstreamFailures}.
 */
final class UpstreamCertificateException extends CertificateException {

    UpstreamCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
