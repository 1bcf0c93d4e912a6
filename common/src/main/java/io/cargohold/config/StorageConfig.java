package io.cargohold.config;

import java.util.Map;

/**
 * Where blobs live: a filesystem path, or an S3-compatible bucket. {@code aws} sets the region and
 * endpoint of Secrets Manager for {@code aws-secretsmanager:} keys.
 */
public record StorageConfig(String type, String path, String endpoint, String region, String bucket,
                            String accessKey, String secretKey, Boolean redirect, Map<String, String> localTier,
                            CacheRule.Aws aws) {

    public static final StorageConfig DEFAULT =
            new StorageConfig("filesystem", "./cargohold-data", null, null, null, null, null, false, null, null);

    public StorageConfig {
        type = type == null ? "filesystem" : type;
        path = path == null ? "./cargohold-data" : path;
        redirect = redirect != null && redirect;
        aws = aws == null ? CacheRule.Aws.DEFAULT : aws;
    }
}
