package io.cargohold.config;

import io.cargohold.meta.hazelcast.HazelcastMetadataStore;
import io.cargohold.testkit.OpensslCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void builtIn_loads_rulesForEveryDefaultUpstream() {
        CargoholdConfig config = ConfigLoader.builtIn();

        assertThat(config.rules()).extracting(CacheRule::prefix)
                .containsExactly("dockerhub", "quay", "ghcr", "k8s", "ecr-public");
        assertThat(config.http().port()).isEqualTo(5000);
        assertThat(config.storage().path()).isEqualTo("./cargohold-data");
        assertThat(config.rules()).allSatisfy(rule ->
                assertThat(rule.refreshInterval()).isEqualTo(Duration.ofHours(24)));
        assertThat(config.rules()).allSatisfy(rule ->
                assertThat(rule.revalidateTimeout()).isEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    void parse_fullContract_keepsEveryKey() throws IOException {
        CargoholdConfig config = parse("""
                http: { host: 0.0.0.0, port: 5000 }
                admin: { host: 127.0.0.1, port: 5001 }
                storage: { type: filesystem, path: /var/lib/cargohold }
                cluster: { name: cargohold, port: 5801, members: [127.0.0.1:5801, 127.0.0.1:5802] }
                kafka: { bootstrapServers: 127.0.0.1:9092, topics: { pulls: cargohold.pulls } }
                auth: { anonymousPull: false }
                rules:
                  - prefix: dockerhub
                    upstreamUrl: https://registry-1.docker.io
                    upstreamRepositoryPrefix: ""
                    credentials: env:DOCKERHUB
                    refreshInterval: PT6H
                    quota: 200GiB
                    tagsList: cached
                    revalidateTimeout: PT0.5S
                lifecycle: { interval: PT30M, blobGrace: PT2H, pullGrace: PT10M, quota: 1TiB }
                """);

        assertThat(config.cluster().members()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
        assertThat(config.kafka().topics()).containsEntry("pulls", "cargohold.pulls");
        assertThat(config.rules().get(0).refreshInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(config.rules().get(0).credentials()).isEqualTo("env:DOCKERHUB");
        assertThat(config.rules().get(0).quotaBytes()).hasValue(200L << 30);
        assertThat(config.rules().get(0).listsUpstreamTags()).isFalse();
        assertThat(config.rules().get(0).revalidateTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.lifecycle()).isEqualTo(new LifecycleConfig(Duration.ofMinutes(30), Duration.ofHours(2),
                Duration.ofMinutes(10), "1TiB"));
        assertThat(config.lifecycle().quotaBytes()).hasValue(1L << 40);
    }

    @Test
    void parse_noLifecycle_hourlyWithAnHourOfGraceAndNoQuotas() throws IOException {
        CargoholdConfig config = parse("rules: [ { prefix: a, upstreamUrl: 'https://r.example' } ]");

        assertThat(config.lifecycle().interval()).isEqualTo(Duration.ofHours(1));
        assertThat(config.lifecycle().blobGrace()).isEqualTo(Duration.ofHours(1));
        assertThat(config.lifecycle().pullGrace()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.lifecycle().quotaBytes()).isEmpty();
        assertThat(config.rules().get(0).quotaBytes()).isEmpty();
        assertThat(config.rules().get(0).listsUpstreamTags()).isTrue();
    }

    @Test
    void parse_noMetadata_cacheOf256MiB() throws IOException {
        CargoholdConfig config = parse("rules: [ { prefix: a, upstreamUrl: 'https://r.example' } ]");

        assertThat(config.metadata().cacheBytes()).isEqualTo(256L << 20)
                .isEqualTo(HazelcastMetadataStore.DEFAULT_CACHE_BYTES);
    }

    @ParameterizedTest
    @CsvSource({"512MiB, 536870912", "16MiB, 16777216", "1GB, 1000000000", "33554432, 33554432"})
    void parse_metadataCacheSize_bytesOrAUnit(String cacheSize, long bytes) throws IOException {
        CargoholdConfig config = parse("metadata: { cacheSize: " + cacheSize + " }");

        assertThat(config.metadata().cacheBytes()).isEqualTo(bytes);
    }

    @Test
    void parse_auth_keepsEveryKeyWithDefaults() throws IOException {
        CargoholdConfig config = parse("""
                auth:
                  anonymousPull: false
                  account: "123456789012"
                  users: [{ name: ci, passwordBcrypt: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", account: "111111111111", org: o-example,
                            accessKeys: [{ id: AKIAEXAMPLE0000001, secret: env:CI_SECRET_KEY }] }]
                  tokenKey: env:CARGOHOLD_TOKEN_KEY
                  registryPolicy: file:/etc/cargohold/registry-policy.json
                """);

        CargoholdConfig.AuthConfig auth = config.auth();
        assertThat(auth.anonymousPull()).isFalse();
        assertThat(auth.users()).containsExactly(new CargoholdConfig.User("ci", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "111111111111", "o-example",
                List.of(new CargoholdConfig.AccessKey("AKIAEXAMPLE0000001", "env:CI_SECRET_KEY"))));
        assertThat(auth.account()).isEqualTo("123456789012");
        assertThat(auth.region()).isEqualTo("us-east-1");
        assertThat(auth.service()).isEqualTo("cargohold");
        assertThat(auth.tokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(auth.tokenKey()).isEqualTo("env:CARGOHOLD_TOKEN_KEY");
        assertThat(auth.registryPolicy()).isEqualTo("file:/etc/cargohold/registry-policy.json");
        assertThat(auth.authorizer().registry().repositoryArn("dockerhub/x"))
                .isEqualTo("arn:aws:ecr:us-east-1:123456789012:repository/dockerhub/x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rules: [ { prefix: Docker, upstreamUrl: 'https://r.example' } ]|rules[0].prefix: 'Docker' must match",
        "rules: [ { prefix: 'a//b', upstreamUrl: 'https://r.example' } ]|rules[0].prefix: 'a//b' must match",
        "rules: [ { upstreamUrl: 'https://r.example' } ]|rules[0].prefix: (missing) must match",
        "rules: [ { prefix: a, upstreamUrl: 'ftp://r.example' } ]|rules[0].upstreamUrl: 'ftp://r.example' must be an http(s) URL",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example/v2' } ]|rules[0].upstreamUrl: 'https://r.example/v2' must be an http(s) URL",
        "rules: [ { prefix: a } ]|rules[0].upstreamUrl: (missing) is required",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', refreshInterval: PT0S } ]|rules[0].refreshInterval: 'PT0S' must be a positive",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', refreshInterval: daily } ]|rules[0].refreshInterval:",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', revalidateTimeout: PT0S } ]|rules[0].revalidateTimeout: 'PT0S' must be a positive ISO-8601 duration of at most PT1M (the upstream time-out)",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example' }, { prefix: b, upstreamUrl: 'https://r.example', revalidateTimeout: PT2M } ]|rules[1].revalidateTimeout: 'PT2M' must be a positive ISO-8601 duration of at most PT1M",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', revalidateTimeout: soon } ]|rules[0].revalidateTimeout:",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: 'env:1X' } ]|rules[0].credentials: 'env:1X' env: needs a variable name",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example' }, { prefix: a, upstreamUrl: 'https://s.example' } ]|rules[1].prefix: 'a' must be unique",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: 'aws-secretsmanager:' } ]|rules[0].credentials: 'aws-secretsmanager:' must name a secret",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: 'aws-secretsmanager:arn:aws:s3:::b' } ]|rules[0].credentials: 'aws-secretsmanager:arn:aws:s3:::b' must name a secret",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: aws-ecs } ]|rules[0].credentials: 'aws-ecs' must be env:NAME, file:PATH, aws-secretsmanager:ARN_OR_NAME, aws-ecr or username:password",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example' }, { prefix: b, upstreamUrl: 'https://r.example', credentials: aws-ecr, customRoleArn: 'arn:aws:iam::x' } ]|rules[1].customRoleArn: 'arn:aws:iam::x' must be an IAM role ARN",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: 'env:HUB', customRoleArn: 'arn:aws:iam::222233334444:role/puller' } ]|rules[0].customRoleArn: 'arn:aws:iam::222233334444:role/puller' needs credentials: aws-ecr or aws-secretsmanager:ARN_OR_NAME",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: aws-ecr, aws: { region: Frankfurt } } ]|rules[0].aws.region: 'Frankfurt' must be an AWS region",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', credentials: aws-ecr, aws: { endpointOverride: 'localhost:4566' } } ]|rules[0].aws.endpointOverride: 'localhost:4566' must be an http(s) URL",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', aws: { region: us-east-1 } } ]|rules[0].aws: 'us-east-1' is only used with credentials: aws-ecr or aws-secretsmanager",
        "storage: { type: s3, endpoint: 'http://minio:9000', bucket: b1b, accessKey: 'aws-secretsmanager:', secretKey: x }|storage.accessKey: 'aws-secretsmanager:' must name a secret",
        "storage: { type: s3, endpoint: 'http://minio:9000', bucket: b1b, aws: { region: Frankfurt } }|storage.aws.region: 'Frankfurt' must be an AWS region",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', colour: blue } ]|rules[0].colour: unknown key",
        "{ rules: [ { prefix: a, upstreamUrl: 'https://r.example' } ], mirror: { defaultRule: b } }|mirror.defaultRule: 'b' must be the prefix of a rule",
        "http: { port: 70000 }|http.port: '70000' must be between 0 and 65535",
        "storage: { type: tape }|storage.type: 'tape' must be one of",
        "storage: { type: s3, bucket: b1b }|storage.endpoint: (missing) is required when storage.type is s3",
        "storage: { type: s3, endpoint: 'minio:9000', bucket: b1b }|storage.endpoint: 'minio:9000' must be an http(s) URL",
        "storage: { type: s3, endpoint: 'http://minio:9000', bucket: Big_Bucket }|storage.bucket: 'Big_Bucket' must be an S3 bucket name",
        "storage: { type: s3, endpoint: 'http://minio:9000', bucket: b1b, accessKey: 'env:A' }|storage.secretKey: (missing) and storage.accessKey must be given together",
        "storage: { type: s3, endpoint: 'http://minio:9000', bucket: b1b, accessKey: 'env:1', secretKey: x }|storage.accessKey: 'env:1' env: needs a variable name",
        "kafka: { topics: { pulls: p } }|kafka.bootstrapServers: (missing) is required when kafka is set",
        "cluster: { members: [ '127.0.0.1:5801-5803' ] }|cluster.members: '127.0.0.1:5801-5803' must be host:port",
        "cluster: { kubernetes: { serviceDns: 'Cargohold_HZ' } }|cluster.kubernetes.serviceDns: 'Cargohold_HZ' must be the DNS name",
        "cluster: { members: [ 'a:5801' ], kubernetes: { serviceDns: hz } }|cluster.kubernetes: 'hz' and cluster.members exclude each other",
        "auth: { users: [ { name: 'bad name', passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111' } ] }|auth.users[0].name: 'bad name' must match",
        "auth: { users: [ { name: ci, passwordBcrypt: plain, account: '111111111111' } ] }|auth.users[0].passwordBcrypt: '(hidden)' must be a bcrypt hash",
        "auth: { users: [ { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '1111' } ] }|auth.users[0].account: '1111' must be a 12-digit account ID",
        "auth: { users: [ { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111', org: 'Org One' } ] }|auth.users[0].org: 'Org One' must be an organization ID",
        "auth: { users: [ { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111' }, { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111' } ] }|auth.users[1].name: 'ci' must be unique",
        "auth: { users: [ { name: ci, password: x } ] }|auth.users[0].password: unknown key",
        "auth: { users: [ { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111', accessKeys: [ { id: akia1, secret: s } ] } ] }|auth.users[0].accessKeys[0].id: 'akia1' must be an access key id",
        "auth: { users: [ { name: ci, passwordBcrypt: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', account: '111111111111', accessKeys: [ { id: AKIAEXAMPLE0000001 } ] } ] }|auth.users[0].accessKeys[0].secret: (missing) is required",
        "auth: { account: 'me' }|auth.account: 'me' must be a 12-digit account ID",
        "auth: { region: Frankfurt }|auth.region: 'Frankfurt' must be a region",
        "auth: { realm: 'cache.example/v2/token' }|auth.realm: 'cache.example/v2/token' must be an http(s) URL",
        "auth: { tokenKey: 'env:1KEY' }|auth.tokenKey: 'env:1KEY' env: needs a variable name",
        "auth: { tokenTtl: PT10S }|auth.tokenTtl: 'PT10S' must be an ISO-8601 duration from PT1M to PT12H",
        "auth: { tokenTtl: P2D }|auth.tokenTtl: 'PT48H' must be an ISO-8601 duration from PT1M to PT12H",
        "auth: { registryPolicy: '{\"Version\": \"2012-10-17\"}' }|auth.registryPolicy: '{\"Version\": \"2012-10-17\"}' is not a valid policy: Statement: (missing)",
        "storage: { localTier: { maxSize: 20GiB } }|storage.localTier.path: (missing) is required",
        "storage: { localTier: { path: /var/cache/cargohold, maxSize: 20 gigs } }|storage.localTier.maxSize: '20 gigs' must be a size",
        "storage: { localTier: { path: /var/cache/cargohold } }|storage.localTier.maxSize: (missing) must be a size",
        "storage: { localTier: { path: /var/cache/cargohold, maxSize: 0 } }|storage.localTier.maxSize: '0' must be positive",
        "lifecycle: { interval: PT0S }|lifecycle.interval: 'PT0S' must be a positive ISO-8601 duration",
        "lifecycle: { blobGrace: '-PT1H' }|lifecycle.blobGrace: 'PT-1H' must be a positive ISO-8601 duration",
        "lifecycle: { pullGrace: PT30S }|lifecycle.pullGrace: 'PT30S' must be longer than PT1M (the precision of last-pulled times)",
        "lifecycle: { quota: 10 gigs }|lifecycle.quota: '10 gigs' must be a size such as 512MiB or 20GiB",
        "lifecycle: { quota: 0 }|lifecycle.quota: '0' must be positive",
        "lifecycle: { every: PT1H }|lifecycle.every: unknown key",
        "metadata: { cacheSize: lots }|metadata.cacheSize: 'lots' must be a size such as 256MiB or 2GiB",
        "metadata: { cacheSize: 8MiB }|metadata.cacheSize: '8MiB' must be at least 16MiB",
        "metadata: { cacheSize: 0 }|metadata.cacheSize: '0' must be at least 16MiB",
        "metadata: { cacheEntries: 1000 }|metadata.cacheEntries: unknown key",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', quota: 5 Mb } ]|rules[0].quota: '5 Mb' must be a size such as 512MiB or 20GiB",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example' }, { prefix: b, upstreamUrl: 'https://r.example', tagsList: live } ]|rules[1].tagsList: 'live' must be upstream (the upstream's tags) or cached (only cached tags)",
        "storage: { type: s3, endpoint: 'http://m:9000', bucket: b1b, redirect: true, localTier: { path: /c, maxSize: 1GiB } }|storage.localTier: '{path=/c, maxSize=1GiB}' cannot be used with storage.redirect: true",
        "upstreamTls: { caFile: /nonexistent/ca.pem }|upstreamTls.caFile: '/nonexistent/ca.pem' does not exist",
        "upstreamTls: { insecureSkipVerify: maybe }|upstreamTls.insecureSkipVerify:",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', tls: { caFile: /nonexistent/ca.pem } } ]|rules[0].tls.caFile: '/nonexistent/ca.pem' does not exist",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', tls: { clientCertificate: /c.crt } } ]|rules[0].tls.clientKey: (missing) is needed with clientCertificate",
        "rules: [ { prefix: a, upstreamUrl: 'https://r.example', tls: { verify: false } } ]|rules[0].tls.verify: unknown key",
    })
    void parse_invalidValue_oneLineNamingKeyValueAndRule(String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void parse_awsCredentials_keepsReferenceRoleAndSettings() throws IOException {
        CargoholdConfig config = parse("""
                rules:
                  - prefix: ecr
                    upstreamUrl: https://222233334444.dkr.ecr.eu-west-1.amazonaws.com
                    credentials: aws-ecr
                    customRoleArn: arn:aws:iam::222233334444:role/puller
                    aws: { region: eu-west-1, endpointOverride: 'http://127.0.0.1:4566' }
                  - prefix: private
                    upstreamUrl: https://registry.example.com
                    credentials: aws-secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:any-name-AbCdEf
                  - prefix: named
                    upstreamUrl: https://registry.example.com
                    credentials: aws-secretsmanager:team/registry-pull
                """);

        CacheRule ecr = config.rules().get(0);
        assertThat(ecr.credentials()).isEqualTo("aws-ecr");
        assertThat(ecr.customRoleArn()).isEqualTo("arn:aws:iam::222233334444:role/puller");
        assertThat(ecr.aws()).isEqualTo(new CacheRule.Aws("eu-west-1", "http://127.0.0.1:4566"));
        assertThat(config.rules().get(1).aws()).isEqualTo(CacheRule.Aws.DEFAULT);
        assertThat(config.rules().get(1).customRoleArn()).isNull();
        assertThat(config.rules().get(2).credentials()).isEqualTo("aws-secretsmanager:team/registry-pull");
    }

    @Test
    void parse_tls_ruleKeysOverTheDefault(@TempDir Path dir) throws IOException {
        OpensslCa authority = OpensslCa.create(dir);
        OpensslCa.Issued client = authority.issue("client", "DNS:cache.example");
        CargoholdConfig config = parse("""
                upstreamTls: { caFile: %s }
                rules:
                  - prefix: internal
                    upstreamUrl: https://registry.internal.example
                    tls: { clientCertificate: %s, clientKey: %s }
                  - prefix: lab
                    upstreamUrl: https://lab.example
                    tls: { insecureSkipVerify: true }
                  - prefix: hub
                    upstreamUrl: https://registry-1.docker.io
                """.formatted(authority.certificate(), client.certificate(), client.key()));

        String ca = authority.certificate().toString();
        assertThat(config.rules().get(0).tls().over(config.upstreamTls())).isEqualTo(
                new UpstreamTls(ca, client.certificate().toString(), client.key().toString(), null));
        assertThat(config.rules().get(1).tls().over(config.upstreamTls()).skipsVerification()).isTrue();
        assertThat(config.rules().get(2).tls().over(config.upstreamTls())).isEqualTo(
                new UpstreamTls(ca, null, null, null));
        assertThat(CacheRuleJson.fromJson("rules", CacheRuleJson.toJson(config.rules().get(0))))
                .isEqualTo(config.rules().get(0));
        assertThat(CacheRuleJson.fromJson("rules", CacheRuleJson.toJson(config.rules().get(1))))
                .isEqualTo(config.rules().get(1));
    }

    @Test
    void parse_tlsFilesNotUsable_namesKeyAndReason(@TempDir Path dir) throws IOException {
        OpensslCa authority = OpensslCa.create(dir);
        OpensslCa.Issued client = authority.issue("client", "DNS:cache.example");
        OpensslCa.Issued other = authority.issue("other", "DNS:other.example");
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");

        assertThatThrownBy(() -> parse("upstreamTls: { caFile: " + text + " }"))
                .hasMessage("upstreamTls.caFile: '" + text + "' holds no PEM certificate");
        assertThatThrownBy(() -> parse("upstreamTls: { clientCertificate: " + client.certificate() + ", clientKey: "
                + other.key() + " }"))
                .hasMessage("upstreamTls.clientKey: '" + other.key() + "' does not match the certificate in "
                        + client.certificate());
        assertThatThrownBy(() -> parse("upstreamTls: { clientCertificate: " + client.certificate() + ", clientKey: "
                + text + " }"))
                .hasMessageStartingWith("upstreamTls.clientKey: '" + text + "' holds no readable PEM private key");
    }

    @Test
    void parse_brokenYaml_namesWhereItBroke() {
        assertThatThrownBy(() -> parse("rules: [ {")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.yml: rules[0]: while parsing");
    }

    @Test
    void parse_logAccess_onByDefaultOffWhenSetFalse() throws IOException {
        assertThat(parse("http: { port: 5000 }\n").log().access()).isTrue();
        assertThat(parse("log: { access: false }\n").log().access()).isFalse();
    }

    private static CargoholdConfig parse(String yaml) throws IOException {
        return ConfigLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yml");
    }
}
