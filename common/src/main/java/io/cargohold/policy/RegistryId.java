package io.cargohold.policy;

import java.util.regex.Pattern;

/**
 * The registry as policies name it: ARNs of its repositories have ECR's form
 * {@code arn:<partition>:ecr:<region>:<account>:repository/<name>}, so ECR policies apply unchanged.
 */
public record RegistryId(String partition, String region, String account) {

    private static final Pattern PARTITION = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");

    public RegistryId {
        if (partition == null || !PARTITION.matcher(partition).matches()) {
            throw PolicyException.of("registry.partition", partition, "must be an ARN partition such as aws");
        }
        if (region == null || !REGION.matcher(region).matches()) {
            throw PolicyException.of("registry.region", region, "must be a region such as us-east-1");
        }
        if (account == null || !Principal.ACCOUNT.matcher(account).matches()) {
            throw PolicyException.of("registry.account", account, "must be a 12-digit account ID");
        }
    }

    public static RegistryId of(String region, String account) {
        return new RegistryId("aws", region, account);
    }

    public String repositoryArn(String repository) {
        String arn = "arn:" + partition + ":ecr:" + region + ":" + account + ":repository/" + repository;
        Arn.requireRepositoryArn("repository", arn);
        return arn;
    }
}
