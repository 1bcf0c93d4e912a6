package io.cargohold.tls;

import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.config.ConfigLoader;
import io.cargohold.testkit.OpensslCa;
import io.cargohold.testkit.OpensslCa.KeyKind;
import io.vertx.core.http.ClientAuth;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks a listener's PEM files pass before they are served, at start-up and on every change. */
class ListenerTlsTest {

    @TempDir
    Path dir;
    private OpensslCa ca;

    @BeforeEach
    void createCa() {
        ca = OpensslCa.create(dir);
    }

    @ParameterizedTest
    @EnumSource(KeyKind.class)
    void read_certificateAndMatchingKey_servesTheLeaf(KeyKind kind) {
        OpensslCa.Issued server = ca.issueServer(kind);

        ListenerTls tls = ListenerTls.read("http.tls", files(server, null), false);

        assertThat(tls.certificate().getSerialNumber()).isEqualTo(server.serial());
        assertThat(tls.sslOptions().getEnabledSecureTransportProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(tls.sslOptions().isUseAlpn()).isFalse();
        assertThat(tls.fingerprint()).isEqualTo(ListenerTls.fingerprintOf(files(server, null)));
    }

    @Test
    void read_chainWithIntermediateAfterLeaf_servesTheLeaf() throws Exception {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(server.certificate()) + Files.readString(ca.certificate()));

        ListenerTls tls = ListenerTls.read("http.tls", new CargoholdConfig.Tls(chain.toString(), server.key().toString(),
                null), false);

        assertThat(tls.certificate().getSerialNumber()).isEqualTo(server.serial());
    }

    @Test
    void read_clientCaOnAdmin_requiresClientCertificates() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.EC);

        ListenerTls tls = ListenerTls.read("admin.tls", files(server, ca.certificate()), true);

        assertThat(tls.sslOptions().getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
        assertThat(tls.sslOptions().getTrustOptions()).isNotNull();
    }

    @Test
    void read_clientCaOnRegistry_failsNamingTheKey() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.EC);

        assertThatThrownBy(() -> ListenerTls.read("http.tls", files(server, ca.certificate()), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.tls.clientCa: '" + ca.certificate() + "' is only read on admin.tls");
    }

    @Test
    void read_missingKeyFile_failsNamingTheKeyAndReason() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        Path missing = dir.resolve("gone.key");

        assertThatThrownBy(() -> ListenerTls.read("http.tls", new CargoholdConfig.Tls(server.certificate().toString(),
                missing.toString(), null), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.tls.key: '" + missing + "' cannot be read: no such file");
    }

    @Test
    void read_keyOfAnotherCertificate_failsAsMismatch() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        OpensslCa.Issued other = ca.issueServer(KeyKind.RSA_PKCS1);

        assertThatThrownBy(() -> ListenerTls.read("admin.tls", new CargoholdConfig.Tls(server.certificate().toString(),
                other.key().toString(), null), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("admin.tls.key: '" + other.key() + "' does not match admin.tls.certificate");
    }

    @Test
    void read_keyOfAnotherAlgorithm_failsAsMismatch() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        OpensslCa.Issued other = ca.issueServer(KeyKind.EC);

        assertThatThrownBy(() -> ListenerTls.read("http.tls", new CargoholdConfig.Tls(server.certificate().toString(),
                other.key().toString(), null), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.tls.key: '" + other.key() + "' does not match");
    }

    @Test
    void read_expiredCertificate_failsNamingTheDate() {
        OpensslCa.Issued expired = ca.issue("localhost", "subjectAltName=DNS:localhost", KeyKind.RSA_PKCS8, -1);

        assertThatThrownBy(() -> ListenerTls.read("http.tls", files(expired, null), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.tls.certificate: '" + expired.certificate() + "' holds a certificate "
                        + "that expired on ");
    }

    @Test
    void read_keyFileAsCertificate_failsAsNoCertificate() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);

        assertThatThrownBy(() -> ListenerTls.read("http.tls", new CargoholdConfig.Tls(server.key().toString(),
                server.key().toString(), null), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("http.tls.certificate: '" + server.key() + "' holds no");
    }

    @Test
    void configLoader_brokenTlsFile_failsAtLoadNamingTheKey() {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        String yaml = "http: { host: 127.0.0.1, port: 5000, tls: { certificate: " + server.certificate()
                + ", key: " + dir.resolve("nope.key") + " } }\n";

        assertThatThrownBy(() -> ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("http.tls.key: '" + dir.resolve("nope.key") + "' cannot be read: no such file");
    }

    @Test
    void configLoader_tlsKeys_keptOnBothListeners() throws Exception {
        OpensslCa.Issued server = ca.issueServer(KeyKind.RSA_PKCS8);
        String yaml = "http: { host: 127.0.0.1, port: 5000, tls: { certificate: " + server.certificate()
                + ", key: " + server.key() + " } }\n"
                + "admin: { host: 127.0.0.1, port: 5001, tls: { certificate: " + server.certificate()
                + ", key: " + server.key() + ", clientCa: " + ca.certificate() + " } }\n";

        CargoholdConfig config = ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test.yml");

        assertThat(config.http().tls()).isEqualTo(files(server, null));
        assertThat(config.admin().tls()).isEqualTo(files(server, ca.certificate()));
    }

    private static CargoholdConfig.Tls files(OpensslCa.Issued issued, Path clientCa) {
        return new CargoholdConfig.Tls(issued.certificate().toString(), issued.key().toString(),
                clientCa == null ? null : clientCa.toString());
    }
}
