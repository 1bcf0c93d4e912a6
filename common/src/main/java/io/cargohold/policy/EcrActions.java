package io.cargohold.policy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Amazon ECR's action names. Policies may name any of them, so ECR policies parse unchanged; Cargohold decides
 * the pull, import, create and read actions ({@link #ENFORCED}). Names are compared without regard to case, as
 * IAM does.
 */
public final class EcrActions {

    public static final String BATCH_GET_IMAGE = "ecr:BatchGetImage";
    public static final String GET_DOWNLOAD_URL_FOR_LAYER = "ecr:GetDownloadUrlForLayer";
    public static final String BATCH_IMPORT_UPSTREAM_IMAGE = "ecr:BatchImportUpstreamImage";
    public static final String CREATE_REPOSITORY = "ecr:CreateRepository";
    public static final String DESCRIBE_IMAGES = "ecr:DescribeImages";
    public static final String LIST_IMAGES = "ecr:ListImages";
    public static final String DESCRIBE_REPOSITORIES = "ecr:DescribeRepositories";

    /** The actions Cargohold asks policies about. */
    public static final List<String> ENFORCED = List.of(BATCH_GET_IMAGE, GET_DOWNLOAD_URL_FOR_LAYER,
            BATCH_IMPORT_UPSTREAM_IMAGE, CREATE_REPOSITORY, DESCRIBE_IMAGES, LIST_IMAGES, DESCRIBE_REPOSITORIES);

    /** The two actions a pull needs on the repository: the manifest and the layers. */
    public static final List<String> PULL = List.of(BATCH_GET_IMAGE, GET_DOWNLOAD_URL_FOR_LAYER);

    private static final List<String> OTHER_ECR = List.of("BatchCheckLayerAvailability", "BatchDeleteImage",
            "BatchGetRepositoryScanningConfiguration", "CompleteLayerUpload", "CreatePullThroughCacheRule",
            "CreateRepositoryCreationTemplate", "DeleteLifecyclePolicy", "DeletePullThroughCacheRule",
            "DeleteRegistryPolicy", "DeleteRepository", "DeleteRepositoryCreationTemplate", "DeleteRepositoryPolicy",
            "DescribeImageReplicationStatus", "DescribeImageScanFindings", "DescribePullThroughCacheRules",
            "DescribeRegistry", "DescribeRepositoryCreationTemplates", "GetAccountSetting",
            "GetAuthorizationToken", "GetLifecyclePolicy", "GetLifecyclePolicyPreview", "GetRegistryPolicy",
            "GetRegistryScanningConfiguration", "GetRepositoryPolicy", "InitiateLayerUpload", "ListTagsForResource",
            "PutAccountSetting", "PutImage", "PutImageScanningConfiguration", "PutImageTagMutability",
            "PutLifecyclePolicy", "PutRegistryPolicy", "PutRegistryScanningConfiguration",
            "PutReplicationConfiguration", "ReplicateImage", "SetRepositoryPolicy", "StartImageScan",
            "StartLifecyclePolicyPreview", "TagResource", "UntagResource", "UpdatePullThroughCacheRule",
            "UploadLayerPart", "ValidatePullThroughCacheRule");

    /** Every known action, lower-cased, to its canonical spelling. */
    private static final Map<String, String> KNOWN = known();

    private EcrActions() {
    }

    /** The canonical spelling of a known action ({@code ecr:batchgetimage} gives {@code ecr:BatchGetImage}). */
    public static String canonical(String path, String action) {
        String canonical = action == null ? null : KNOWN.get(action.toLowerCase(Locale.ROOT));
        if (canonical == null) {
            throw PolicyException.of(path, action, "is not an Amazon ECR action (such as " + BATCH_GET_IMAGE + ")");
        }
        return canonical;
    }

    static void requireKnown(String path, String action) {
        canonical(path, action);
    }

    /** Checks an Action or NotAction entry: a known action, or a pattern with * and ? that matches at least one. */
    static void validatePattern(String path, String pattern) {
        if (pattern.equals("*")) {
            return;
        }
        if (!pattern.regionMatches(true, 0, "ecr:", 0, 4)) {
            throw PolicyException.of(path, pattern, "must be an Amazon ECR action such as " + BATCH_GET_IMAGE
                    + " (service prefix ecr:), ecr:* or *");
        }
        if (!Glob.hasWildcard(pattern)) {
            canonical(path, pattern);
            return;
        }
        if (KNOWN.values().stream().noneMatch(action -> Glob.matches(pattern, action, true))) {
            throw PolicyException.of(path, pattern, "matches no Amazon ECR action");
        }
    }

    static boolean matches(String pattern, String action) {
        return Glob.matches(pattern, action, true);
    }

    private static Map<String, String> known() {
        Map<String, String> known = new TreeMap<>();
        ENFORCED.forEach(action -> known.put(action.toLowerCase(Locale.ROOT), action));
        OTHER_ECR.forEach(name -> known.put(("ecr:" + name).toLowerCase(Locale.ROOT), "ecr:" + name));
        return Map.copyOf(known);
    }

    /** Every action name this class knows, for messages and tests. */
    public static List<String> all() {
        return KNOWN.values().stream().sorted().collect(Collectors.toList());
    }
}
