package io.cargohold.config;

import java.util.Map;

/** Where blobs live: a filesystem path, or an S3-compatible bucket. */
public record StorageConfig(String type, String path, String endpoint, String region, String bucket,
                            String accessKey, String secretKey, Boolean redirect, Map<String, String> localTier) {

    public static final StorageConfig DEFAULT =
            new StorageConfig("filesystem", "./cargohold-data", null, null, null, null, null, false, null);

    public StorageConfig {
        type = type == null ? "filesystem" : type;
        path = path == null ? "./cargohold-data" : path;
        redirect = redirect != null && redirect;
    }
}
