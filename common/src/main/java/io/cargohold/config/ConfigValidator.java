package io.cargohold.config;

import io.cargohold.events.kafka.KafkaTopics;
import io.cargohold.gate.AccessList;
import io.cargohold.gate.ImagePattern;
import io.cargohold.pin.PinnedImage;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.spi.ManifestRecord;
import io.cargohold.tls.ListenerTls;
import io.cargohold.upstream.http.UpstreamTimeouts;
import io.cargohold.upstream.http.UpstreamTrust;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a whole configuration; the first problem becomes one line naming key, value and rule. */
public final class ConfigValidator {

    public static final String PREFIX_REGEX = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
    private static final Pattern PREFIX = Pattern.compile(PREFIX_REGEX);
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9]+/[a-z0-9]+");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern DNS_NAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}");
    private static final Pattern ROLE_ARN =
            Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");
    public static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}");
    public static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    public static final Pattern ORG_ID = Pattern.compile("o-[a-z0-9]{1,32}");
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{8,128}");
    private static final Duration MAX_TOKEN_TTL = Duration.ofHours(12);
    private static final Set<String> STORAGE_TYPES = Set.of("filesystem", "s3");

    private ConfigValidator() {
    }

    public static void validate(CargoholdConfig config) {
        port("http.port", config.http().port());
        port("admin.port", config.admin().port());
        listenerTls("http.tls", config.http().tls(), false);
        listenerTls("admin.tls", config.admin().tls(), true);
        storage(config.storage());
        kafka(config.kafka());
        cluster(config.cluster());
        auth(config.auth());
        if (config.limits().maxManifestBytes() <= 0) {
            fail("limits.maxManifestBytes", config.limits().maxManifestBytes(), "must be positive");
        }
        UpstreamTrust.load("upstreamTls", config.upstreamTls());
        rules(config.rules());
        String mirrorDefault = config.mirror().defaultRule();
        if (mirrorDefault != null && config.rules().stream().noneMatch(rule -> rule.prefix().equals(mirrorDefault))) {
            fail("mirror.defaultRule", mirrorDefault, "must be the prefix of a rule");
        }
        lifecycle(config.lifecycle());
        metadata(config.metadata());
    }

    public static void rules(List<CacheRule> rules) {
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            rule("rules[" + i + "]", rules.get(i));
            if (!prefixes.add(rules.get(i).prefix())) {
                fail("rules[" + i + "].prefix", rules.get(i).prefix(), "must be unique among rules");
            }
        }
    }

    public static void rule(String key, CacheRule rule) {
        if (rule.prefix() == null || !PREFIX.matcher(rule.prefix()).matches()) {
            fail(key + ".prefix", rule.prefix(), "must match " + PREFIX_REGEX);
        }
        if (!rule.upstreamRepositoryPrefix().isEmpty() && !PREFIX.matcher(rule.upstreamRepositoryPrefix()).matches()) {
            fail(key + ".upstreamRepositoryPrefix", rule.upstreamRepositoryPrefix(), "must match " + PREFIX_REGEX);
        }
        upstreamUrl(key + ".upstreamUrl", rule.upstreamUrl());
        if (rule.refreshInterval().isNegative() || rule.refreshInterval().isZero()) {
            fail(key + ".refreshInterval", rule.refreshInterval(), "must be a positive ISO-8601 duration");
        }
        revalidateTimeout(key + ".revalidateTimeout", rule.revalidateTimeout());
        for (String platform : rule.platforms()) {
            if (!PLATFORM.matcher(platform).matches()) {
                fail(key + ".platforms", platform, "must be os/architecture, such as linux/amd64");
            }
        }
        if (rule.credentials() != null) {
            SecretReference.validate(key + ".credentials", rule.credentials());
        }
        aws(key, rule);
        quota(key + ".quota", rule.quota());
        if (!rule.tagsList().equals(CacheRule.TAGS_LIST_UPSTREAM) && !rule.tagsList().equals(CacheRule.TAGS_LIST_CACHED)) {
            fail(key + ".tagsList", rule.tagsList(), "must be " + CacheRule.TAGS_LIST_UPSTREAM + " (the upstream's tags) or "
                    + CacheRule.TAGS_LIST_CACHED + " (only cached tags)");
        }
        UpstreamTrust.load(key + ".tls", rule.tls());
        patterns(key + ".allow", rule.gate().allow());
        patterns(key + ".deny", rule.gate().deny());
        if (rule.gate().verify() != null) {
            verify(key + ".verify", rule.gate().verify());
        }
        warm(key, rule);
    }

    private static void patterns(String key, List<String> patterns) {
        for (int i = 0; i < patterns.size(); i++) {
            try {
                ImagePattern.parse(patterns.get(i));
            } catch (IllegalArgumentException e) {
                fail(key + "[" + i + "]", patterns.get(i), "is not a valid pattern: " + e.getMessage());
            }
        }
    }

    /** Keys are read now, so a start-up and {@code validate} name the broken one; Secrets Manager's when first used. */
    private static void verify(String key, CacheRule.Verify verify) {
        List<String> keys = verify.publicKeys();
        if (keys.isEmpty()) {
            fail(key + ".cosign.publicKeys", null, "must list at least one PEM public key: file:PATH, env:NAME, "
                    + "aws-secretsmanager:ARN_OR_NAME or the PEM itself");
        }
        for (int i = 0; i < keys.size(); i++) {
            String at = key + ".cosign.publicKeys[" + i + "]";
            if (keys.get(i) == null) {
                fail(at, null, "must be a reference to a PEM public key");
            }
            SecretText.validate(at, keys.get(i));
            if (!keys.get(i).startsWith(SecretReference.AWS_SECRETS_MANAGER)) {
                CacheRule.Verify.parseKey(at, keys.get(i), SecretText.read(at, keys.get(i), System.getenv()));
            }
        }
    }

    /** A warmed image must be a valid reference the rule's own lists let in. */
    private static void warm(String key, CacheRule rule) {
        AccessList access = AccessList.of(rule.prefix(), rule.gate().allow(), rule.gate().deny());
        for (int i = 0; i < rule.gate().warm().size(); i++) {
            String image = rule.gate().warm().get(i);
            String at = key + ".warm[" + i + "]";
            PinnedImage pinned;
            try {
                pinned = PinnedImage.parse(image);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at, image, e.getMessage());
            }
            access.check(rule.upstreamRepository(pinned.name().value()), pinned.tagOrNull())
                    .ifPresent(refusal -> fail(at, image, "is refused by the rule's own lists: " + refusal.message()));
        }
    }

    /** A client's wait on a re-check is pointless past the upstream's own time-out. */
    private static void revalidateTimeout(String key, Duration timeout) {
        Duration upstream = UpstreamTimeouts.DEFAULT.idle();
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(upstream) > 0) {
            fail(key, timeout, "must be a positive ISO-8601 duration of at most " + upstream
                    + " (the upstream time-out)");
        }
    }

    private static void lifecycle(LifecycleConfig lifecycle) {
        positive("lifecycle.interval", lifecycle.interval());
        positive("lifecycle.blobGrace", lifecycle.blobGrace());
        if (lifecycle.pullGrace().compareTo(ManifestRecord.PULL_PRECISION) <= 0) {
            fail("lifecycle.pullGrace", lifecycle.pullGrace(), "must be longer than " + ManifestRecord.PULL_PRECISION
                    + " (the precision of last-pulled times)");
        }
        quota("lifecycle.quota", lifecycle.quota());
    }

    private static void metadata(MetadataConfig metadata) {
        if (metadata.cacheSize() == null) {
            return;
        }
        long bytes;
        try {
            bytes = metadata.cacheBytes();
        } catch (IllegalArgumentException e) {
            fail("metadata.cacheSize", metadata.cacheSize(), "must be a size such as 256MiB or 2GiB");
            return;
        }
        if (bytes < MetadataConfig.MIN_CACHE_BYTES) {
            fail("metadata.cacheSize", metadata.cacheSize(), "must be at least 16MiB");
        }
    }

    private static void positive(String key, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            fail(key, duration, "must be a positive ISO-8601 duration");
        }
    }

    private static void quota(String key, String quota) {
        if (quota == null) {
            return;
        }
        try {
            if (ByteSize.parse(quota) <= 0) {
                fail(key, quota, "must be positive");
            }
        } catch (IllegalArgumentException e) {
            fail(key, quota, "must be a size such as 512MiB or 20GiB");
        }
    }

    private static void aws(String key, CacheRule rule) {
        boolean aws = SecretReference.isAws(rule.credentials());
        if (rule.customRoleArn() != null) {
            if (!ROLE_ARN.matcher(rule.customRoleArn()).matches()) {
                fail(key + ".customRoleArn", rule.customRoleArn(),
                        "must be an IAM role ARN such as arn:aws:iam::123456789012:role/puller");
            }
            if (!aws) {
                fail(key + ".customRoleArn", rule.customRoleArn(),
                        "needs credentials: aws-ecr or aws-secretsmanager:ARN_OR_NAME");
            }
        }
        CacheRule.Aws settings = rule.aws();
        awsSettings(key + ".aws", settings);
        if (!aws && (settings.region() != null || settings.endpointOverride() != null)) {
            fail(key + ".aws", settings.region() != null ? settings.region() : settings.endpointOverride(),
                    "is only used with credentials: aws-ecr or aws-secretsmanager:ARN_OR_NAME");
        }
    }

    private static void awsSettings(String key, CacheRule.Aws settings) {
        if (settings.region() != null && !AWS_REGION.matcher(settings.region()).matches()) {
            fail(key + ".region", settings.region(), "must be an AWS region such as us-east-1");
        }
        if (settings.endpointOverride() != null) {
            httpUrl(key + ".endpointOverride", settings.endpointOverride(),
                    "https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com");
        }
    }

    private static void storage(StorageConfig storage) {
        if (!STORAGE_TYPES.contains(storage.type())) {
            fail("storage.type", storage.type(), "must be one of " + STORAGE_TYPES);
        }
        if ("s3".equals(storage.type())) {
            s3(storage);
        }
        localTier(storage.localTier());
        awsSettings("storage.aws", storage.aws());
        if (storage.redirect() && storage.localTier() != null) {
            fail("storage.localTier", storage.localTier(), "cannot be used with storage.redirect: true (clients are "
                    + "sent to the bucket, so the tier would never serve)");
        }
    }

    private static void kafka(CargoholdConfig.KafkaConfig kafka) {
        if (kafka == null) {
            return;
        }
        if (kafka.bootstrapServers() == null || kafka.bootstrapServers().isBlank()) {
            fail("kafka.bootstrapServers", kafka.bootstrapServers(), "is required when kafka is set");
        }
        try {
            KafkaTopics.fromMap(kafka.topics());
        } catch (IllegalArgumentException | NullPointerException e) {
            fail("kafka.topics", kafka.topics(), e.getMessage());
        }
    }

    private static void cluster(CargoholdConfig.ClusterConfig cluster) {
        if (cluster == null) {
            return;
        }
        if (cluster.kubernetes() != null) {
            if (cluster.members() != null) {
                fail("cluster.kubernetes", cluster.kubernetes().serviceDns(), "and cluster.members exclude each other");
            }
            String serviceDns = cluster.kubernetes().serviceDns();
            if (serviceDns == null || !DNS_NAME.matcher(serviceDns).matches()) {
                fail("cluster.kubernetes.serviceDns", serviceDns,
                        "must be the DNS name of a headless Service, such as cargohold-hz.cargohold.svc.cluster.local");
            }
            return;
        }
        if (cluster.members() == null) {
            return;
        }
        for (String member : cluster.members()) {
            if (member == null || !HOST_PORT.matcher(member).matches()) {
                fail("cluster.members", member, "must be host:port, one member per entry");
            }
        }
    }

    private static void auth(CargoholdConfig.AuthConfig auth) {
        if (auth == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < auth.users().size(); i++) {
            user("auth.users[" + i + "]", auth.users().get(i));
            if (!names.add(auth.users().get(i).name())) {
                fail("auth.users[" + i + "].name", auth.users().get(i).name(), "must be unique among users");
            }
        }
        Set<String> accessKeyIds = new HashSet<>();
        for (int i = 0; i < auth.users().size(); i++) {
            for (int k = 0; k < auth.users().get(i).accessKeys().size(); k++) {
                String id = auth.users().get(i).accessKeys().get(k).id();
                if (!accessKeyIds.add(id)) {
                    fail("auth.users[" + i + "].accessKeys[" + k + "].id", id, "must be unique among users");
                }
            }
        }
        if (!ACCOUNT.matcher(auth.account()).matches()) {
            fail("auth.account", auth.account(), "must be a 12-digit account ID");
        }
        if (!AWS_REGION.matcher(auth.region()).matches()) {
            fail("auth.region", auth.region(), "must be a region such as us-east-1");
        }
        if (auth.service().isBlank()) {
            fail("auth.service", auth.service(), "must not be empty");
        }
        if (auth.realm() != null) {
            httpUrl("auth.realm", auth.realm(), "https://cache.example.com/v2/token");
        }
        if (auth.tokenKey() != null) {
            SecretText.validate("auth.tokenKey", auth.tokenKey());
        }
        if (auth.tokenTtl().compareTo(Duration.ofMinutes(1)) < 0 || auth.tokenTtl().compareTo(MAX_TOKEN_TTL) > 0) {
            fail("auth.tokenTtl", auth.tokenTtl(), "must be an ISO-8601 duration from PT1M to PT12H");
        }
        registryPolicy(auth.registryPolicy());
        for (int i = 0; i < auth.admins().size(); i++) {
            if (!names.contains(auth.admins().get(i))) {
                fail("auth.admins[" + i + "]", auth.admins().get(i), "must be the name of one of auth.users");
            }
        }
    }

    private static void user(String key, CargoholdConfig.User user) {
        if (user == null) {
            fail(key, null, "must be a user {name, passwordBcrypt, account, org}");
        }
        if (user.name() == null || !USER_NAME.matcher(user.name()).matches()) {
            fail(key + ".name", user.name(), "must match " + USER_NAME.pattern());
        }
        if (user.passwordBcrypt() == null || !BCRYPT.matcher(user.passwordBcrypt()).matches()) {
            fail(key + ".passwordBcrypt", user.passwordBcrypt() == null ? null : "(hidden)",
                    "must be a bcrypt hash such as htpasswd -nbB makes: $2y$10$ and 53 characters");
        }
        if (user.account() == null || !ACCOUNT.matcher(user.account()).matches()) {
            fail(key + ".account", user.account(), "must be a 12-digit account ID");
        }
        if (user.org() != null && !ORG_ID.matcher(user.org()).matches()) {
            fail(key + ".org", user.org(), "must be an organization ID matching " + ORG_ID.pattern());
        }
        for (int i = 0; i < user.accessKeys().size(); i++) {
            CargoholdConfig.AccessKey accessKey = user.accessKeys().get(i);
            String at = key + ".accessKeys[" + i + "]";
            if (accessKey == null || accessKey.id() == null || !ACCESS_KEY_ID.matcher(accessKey.id()).matches()) {
                fail(at + ".id", accessKey == null ? null : accessKey.id(),
                        "must be an access key id: 8 to 128 upper-case letters and digits");
            }
            if (accessKey.secret() == null) {
                fail(at + ".secret", null, "is required: the secret access key or a reference to it");
            }
            SecretText.validate(at + ".secret", accessKey.secret());
        }
    }

    /** A literal policy is checked now; a {@code file:} one when the process starts. */
    private static void registryPolicy(String policy) {
        if (policy == null || policy.startsWith("file:")) {
            return;
        }
        try {
            Policy.parse(policy);
        } catch (PolicyException e) {
            fail("auth.registryPolicy", PolicyException.shorten(policy), "is not a valid policy: " + e.getMessage());
        }
    }

    private static void s3(StorageConfig storage) {
        if (storage.endpoint() == null) {
            fail("storage.endpoint", null, "is required when storage.type is s3");
        }
        httpUrl("storage.endpoint", storage.endpoint(), "http://127.0.0.1:9000");
        if (storage.bucket() == null || !BUCKET.matcher(storage.bucket()).matches()) {
            fail("storage.bucket", storage.bucket(), "must be an S3 bucket name: 3-63 of a-z 0-9 . -");
        }
        if (storage.accessKey() != null) {
            SecretText.validate("storage.accessKey", storage.accessKey());
        }
        if (storage.secretKey() != null) {
            SecretText.validate("storage.secretKey", storage.secretKey());
        }
        if ((storage.accessKey() == null) != (storage.secretKey() == null)) {
            fail("storage.secretKey", null, "and storage.accessKey must be given together");
        }
    }

    private static void localTier(Map<String, String> localTier) {
        if (localTier == null) {
            return;
        }
        if (localTier.get("path") == null || localTier.get("path").isBlank()) {
            fail("storage.localTier.path", null, "is required");
        }
        try {
            if (ByteSize.parse(localTier.get("maxSize")) <= 0) {
                fail("storage.localTier.maxSize", localTier.get("maxSize"), "must be positive");
            }
        } catch (IllegalArgumentException e) {
            fail("storage.localTier.maxSize", localTier.get("maxSize"), "must be a size such as 512MiB or 20GiB");
        }
    }

    /** An http(s) URL with a host. */
    private static void httpUrl(String key, String value, String example) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                fail(key, value, "must be an http(s) URL such as " + example);
            }
        } catch (URISyntaxException e) {
            fail(key, value, "must be a valid URL (" + e.getReason() + ")");
        }
    }

    private static void upstreamUrl(String key, String value) {
        if (value == null) {
            fail(key, null, "is required");
        }
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                    || uri.getQuery() != null || uri.getUserInfo() != null) {
                fail(key, value, "must be an http(s) URL of a registry host without path, query or user info");
            }
        } catch (URISyntaxException e) {
            fail(key, value, "must be a valid URL (" + e.getReason() + ")");
        }
    }

    /** The PEM files are read now, so a start-up and {@code validate} name the broken one. */
    private static void listenerTls(String key, CargoholdConfig.Tls tls, boolean clientCaAllowed) {
        if (tls != null) {
            ListenerTls.read(key, tls, clientCaAllowed);
        }
    }

    private static void port(String key, int port) {
        if (port < 0 || port > 65535) {
            fail(key, port, "must be between 0 and 65535");
        }
    }

    static void fail(String key, Object value, String rule) {
        throw new ConfigException(key, value, rule);
    }
}
