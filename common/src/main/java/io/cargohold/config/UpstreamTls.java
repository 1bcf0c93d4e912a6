package io.cargohold.config;

/**
 * How the cache trusts an upstream's TLS certificate (a rule's {@code tls}, or the top-level
 * {@code upstreamTls} default): {@code caFile} adds a PEM bundle of CA certificates to the system
 * trust store, {@code clientCertificate} and {@code clientKey} (PEM) answer a registry asking for a
 * client certificate, and {@code insecureSkipVerify: true} accepts any certificate for any name.
 * A key left out ({@code null}) takes the default's value.
 */
public record UpstreamTls(String caFile, String clientCertificate, String clientKey, Boolean insecureSkipVerify) {

    public static final UpstreamTls NONE = new UpstreamTls(null, null, null, null);

    /** These settings over {@code defaults}: each key set here wins, the others come from there. */
    public UpstreamTls over(UpstreamTls defaults) {
        return new UpstreamTls(caFile != null ? caFile : defaults.caFile(),
                clientCertificate != null ? clientCertificate : defaults.clientCertificate(),
                clientKey != null ? clientKey : defaults.clientKey(),
                insecureSkipVerify != null ? insecureSkipVerify : defaults.insecureSkipVerify());
    }

    /** True only when {@code insecureSkipVerify: true} is written. */
    public boolean skipsVerification() {
        return Boolean.TRUE.equals(insecureSkipVerify);
    }
}
