package io.cargohold.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Cargohold's access rules on top of {@link PolicyEvaluator}.
 * <ul>
 *   <li>The registry policy governs {@code ecr:BatchImportUpstreamImage} and {@code ecr:CreateRepository}; the
 *   resource is the repository's ARN, so statements can scope a prefix ({@code repository/dockerhub/*}).</li>
 *   <li>The repository policy governs the pull actions ({@code ecr:BatchGetImage},
 *   {@code ecr:GetDownloadUrlForLayer}) and the reads ({@code ecr:DescribeImages}, {@code ecr:ListImages}, {@code ecr:DescribeRepositories}).</li>
 *   <li>A pull through the cache that has to fetch upstream needs the import; one that also creates the
 *   repository needs the create; every pull needs both pull actions.</li>
 *   <li>Own account: Cargohold has no identity policies, so with {@link OwnAccount#ALLOWED_UNLESS_DENIED}
 *   principals of the registry's own account are allowed what no statement denies (as an ECR account whose
 *   identities hold {@code ecr:*}); with {@link OwnAccount#NEEDS_POLICY} they need an Allow like anyone else.
 *   Other accounts always need an Allow; anonymous principals too, unless the authorizer is built to allow them
 *   what no statement denies (a registry that allows anonymous pulls).</li>
 * </ul>
 */
public final class Authorizer {

    public static final String REGISTRY_POLICY = "registry";

    public enum OwnAccount {
        ALLOWED_UNLESS_DENIED,
        NEEDS_POLICY
    }

    private final RegistryId registry;
    private final OwnAccount ownAccount;
    private final boolean anonymousUnlessDenied;

    public Authorizer(RegistryId registry, OwnAccount ownAccount) {
        this(registry, ownAccount, false);
    }

    /** {@code anonymousUnlessDenied}: anonymous principals are allowed what no statement explicitly denies them. */
    public Authorizer(RegistryId registry, OwnAccount ownAccount, boolean anonymousUnlessDenied) {
        this.registry = registry;
        this.ownAccount = ownAccount;
        this.anonymousUnlessDenied = anonymousUnlessDenied;
    }

    public RegistryId registry() {
        return registry;
    }

    /** Whether the action is decided by the registry policy (import, create) rather than the repository's. */
    public static boolean governedByRegistryPolicy(String action) {
        String canonical = EcrActions.canonical("action", action);
        return canonical.equals(EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE)
                || canonical.equals(EcrActions.CREATE_REPOSITORY);
    }

    /** The name decisions give a repository's policy. */
    public static String repositoryPolicyName(String repository) {
        return "repository/" + repository;
    }

    /** Both pull actions on the repository, under its policy (null: it has none). */
    public Decision mayPull(Principal principal, String repository, Policy repositoryPolicy) {
        List<Decision> decisions = new ArrayList<>();
        for (String action : EcrActions.PULL) {
            decisions.add(decide(principal, action, repository, null, repositoryPolicy));
        }
        return Decision.allOf(decisions);
    }

    /** {@code ecr:BatchImportUpstreamImage} on the repository, under the registry policy (null: none). */
    public Decision mayImport(Principal principal, String repository, Policy registryPolicy) {
        return decide(principal, EcrActions.BATCH_IMPORT_UPSTREAM_IMAGE, repository, registryPolicy, null);
    }

    /** {@code ecr:CreateRepository} on the repository, under the registry policy (null: none). */
    public Decision mayCreate(Principal principal, String repository, Policy registryPolicy) {
        return decide(principal, EcrActions.CREATE_REPOSITORY, repository, registryPolicy, null);
    }

    /**
     * A pull that misses the cache: the import, the create when the repository does not exist yet, and the pull
     * actions under the policy the repository has (or, being created, will have).
     */
    public Decision mayPullThrough(Principal principal, String repository, boolean repositoryExists,
                                   Policy registryPolicy, Policy repositoryPolicy) {
        List<Decision> decisions = new ArrayList<>();
        decisions.add(mayImport(principal, repository, registryPolicy));
        if (!repositoryExists) {
            decisions.add(mayCreate(principal, repository, registryPolicy));
        }
        decisions.add(mayPull(principal, repository, repositoryPolicy));
        return Decision.allOf(decisions);
    }

    /**
     * One action on one repository under the policy that governs it, with the own-account rule: the answer of
     * the simulate endpoint.
     */
    public Decision decide(Principal principal, String action, String repository, Policy registryPolicy,
                           Policy repositoryPolicy) {
        String canonical = EcrActions.canonical("action", action);
        List<NamedPolicy> policies = new ArrayList<>();
        if (governedByRegistryPolicy(canonical)) {
            if (registryPolicy != null) {
                policies.add(new NamedPolicy(REGISTRY_POLICY, registryPolicy));
            }
        } else if (repositoryPolicy != null) {
            policies.add(new NamedPolicy(repositoryPolicyName(repository), repositoryPolicy));
        }
        Request request = new Request(principal, canonical, registry.repositoryArn(repository));
        Decision decision = PolicyEvaluator.evaluate(request, policies);
        if (decision.outcome() == Decision.Outcome.IMPLICIT_DENY && ownAccount == OwnAccount.ALLOWED_UNLESS_DENIED
                && !principal.isAnonymous() && principal.account().equals(registry.account())) {
            return new Decision(Decision.Outcome.ALLOW, canonical, null, null, "allowed to " + principal
                    + " of the registry's own account " + registry.account() + ": no statement denies it");
        }
        if (decision.outcome() == Decision.Outcome.IMPLICIT_DENY && anonymousUnlessDenied && principal.isAnonymous()) {
            return new Decision(Decision.Outcome.ALLOW, canonical, null, null,
                    "allowed to anonymous principals (anonymous pulls are on): no statement denies it");
        }
        return decision;
    }
}
