package io.cargohold.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A cache rule as JSON, with the keys of the config file (durations as ISO-8601):
 * the control API's body and the value stored in the cluster. Reading checks shapes and types
 * only; {@link ConfigValidator#rule} checks the values.
 */
public final class CacheRuleJson {

    public static final Set<String> KEYS = Set.of("prefix", "upstreamUrl", "upstreamRepositoryPrefix", "credentials",
            "refreshInterval", "platforms", "customRoleArn", "aws", "quota", "tagsList",
            "revalidateTimeout", "tls", "allow", "deny", "verify", "warm");
    private static final Set<String> TLS_KEYS = Set.of("caFile", "clientCertificate", "clientKey", "insecureSkipVerify");

    private CacheRuleJson() {
    }

    public static JsonObject toJson(CacheRule rule) {
        JsonObject aws = new JsonObject();
        if (rule.aws().region() != null) {
            aws.put("region", rule.aws().region());
        }
        if (rule.aws().endpointOverride() != null) {
            aws.put("endpointOverride", rule.aws().endpointOverride());
        }
        return new JsonObject()
                .put("prefix", rule.prefix())
                .put("upstreamUrl", rule.upstreamUrl())
                .put("upstreamRepositoryPrefix", rule.upstreamRepositoryPrefix())
                .put("credentials", rule.credentials())
                .put("refreshInterval", rule.refreshInterval().toString())
                .put("platforms", new JsonArray(rule.platforms()))
                .put("customRoleArn", rule.customRoleArn())
                .put("aws", aws)
                .put("quota", rule.quota())
                .put("tagsList", rule.tagsList())
                .put("revalidateTimeout", rule.revalidateTimeout().toString())
                .put("tls", tlsJson(rule.tls()))
                .put("allow", new JsonArray(rule.gate().allow()))
                .put("deny", new JsonArray(rule.gate().deny()))
                .put("verify", verifyJson(rule.gate().verify()))
                .put("warm", new JsonArray(rule.gate().warm()));
    }

    private static JsonObject verifyJson(CacheRule.Verify verify) {
        if (verify == null) {
            return null;
        }
        JsonObject json = new JsonObject();
        if (verify.cosign() != null) {
            json.put("cosign", new JsonObject().put("publicKeys", new JsonArray(verify.cosign().publicKeys())));
        }
        return json;
    }

    private static JsonObject tlsJson(UpstreamTls tls) {
        JsonObject json = new JsonObject();
        if (tls.caFile() != null) {
            json.put("caFile", tls.caFile());
        }
        if (tls.clientCertificate() != null) {
            json.put("clientCertificate", tls.clientCertificate());
        }
        if (tls.clientKey() != null) {
            json.put("clientKey", tls.clientKey());
        }
        if (tls.insecureSkipVerify() != null) {
            json.put("insecureSkipVerify", tls.insecureSkipVerify());
        }
        return json;
    }

    /** Reads a rule; an unknown key or a value of the wrong type fails naming {@code key.field}. */
    public static CacheRule fromJson(String key, JsonObject json) {
        for (String field : json.fieldNames()) {
            if (!KEYS.contains(field)) {
                throw new ConfigException(key + "." + field, json.getValue(field), "is not a rule setting (one of "
                        + KEYS.stream().sorted().toList() + ")");
            }
        }
        JsonObject aws = json.getValue("aws") == null ? new JsonObject() : object(key + ".aws", json.getValue("aws"));
        return new CacheRule(string(key, json, "prefix"), string(key, json, "upstreamUrl"),
                string(key, json, "upstreamRepositoryPrefix"), string(key, json, "credentials"),
                duration(key + ".refreshInterval", string(key, json, "refreshInterval")),
                platforms(key + ".platforms", json.getValue("platforms")), string(key, json, "customRoleArn"),
                new CacheRule.Aws(string(key + ".aws", aws, "region"), string(key + ".aws", aws, "endpointOverride")),
                json.getValue("quota") instanceof Number bytes ? String.valueOf(bytes.longValue())
                        : string(key, json, "quota"), string(key, json, "tagsList"),
                duration(key + ".revalidateTimeout", string(key, json, "revalidateTimeout")),
                tls(key + ".tls", json.getValue("tls")),
                new CacheRule.Gate(strings(key + ".allow", json.getValue("allow"), "patterns such as library/*"),
                        strings(key + ".deny", json.getValue("deny"), "patterns such as library/*"),
                        verify(key + ".verify", json.getValue("verify")),
                        strings(key + ".warm", json.getValue("warm"), "images such as library/nginx:1.27")));
    }

    private static UpstreamTls tls(String key, Object value) {
        if (value == null) {
            return null;
        }
        JsonObject json = object(key, value);
        for (String field : json.fieldNames()) {
            if (!TLS_KEYS.contains(field)) {
                throw new ConfigException(key + "." + field, json.getValue(field), "is not a tls setting (one of "
                        + TLS_KEYS.stream().sorted().toList() + ")");
            }
        }
        Object skip = json.getValue("insecureSkipVerify");
        if (skip != null && !(skip instanceof Boolean)) {
            throw new ConfigException(key + ".insecureSkipVerify", skip, "must be true or false");
        }
        return new UpstreamTls(string(key, json, "caFile"), string(key, json, "clientCertificate"),
                string(key, json, "clientKey"), (Boolean) skip);
    }

    private static CacheRule.Verify verify(String key, Object value) {
        return value == null ? null : CacheRule.Verify.read(key, object(key, value).getMap());
    }

    private static String string(String key, JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw new ConfigException(key + "." + field, value, "must be a string");
        }
        return (String) value;
    }

    private static JsonObject object(String key, Object value) {
        if (!(value instanceof JsonObject object)) {
            throw new ConfigException(key, value, "must be an object");
        }
        return object;
    }

    private static Duration duration(String key, String value) {
        try {
            return value == null ? null : Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigException(key, value, "must be an ISO-8601 duration such as PT24H");
        }
    }

    private static List<String> platforms(String key, Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw new ConfigException(key, value, "must be a list of os/architecture strings");
        }
        List<String> platforms = new ArrayList<>();
        for (Object platform : array) {
            if (!(platform instanceof String text)) {
                throw new ConfigException(key, platform, "must be a string such as linux/amd64");
            }
            platforms.add(text);
        }
        return platforms;
    }

    private static List<String> strings(String key, Object value, String what) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw new ConfigException(key, value, "must be a list of " + what);
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof String text)) {
                throw new ConfigException(key + "[" + i + "]", array.getValue(i), "must be a string");
            }
            strings.add(text);
        }
        return strings;
    }
}
