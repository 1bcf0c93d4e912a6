package io.cargohold.edge.auth;

import io.cargohold.auth.ApiTokens;
import io.cargohold.auth.Users;
import io.cargohold.cache.ProxyTarget;
import io.cargohold.cache.PullThrough;
import io.cargohold.config.CargoholdConfig;
import io.cargohold.config.ConfigException;
import io.cargohold.edge.http.RegistryAccess;
import io.cargohold.edge.http.RegistryPath;
import io.cargohold.edge.http.Routes;
import io.cargohold.oci.Digest;
import io.cargohold.oci.Reference;
import io.cargohold.oci.error.OciErrorCode;
import io.cargohold.oci.error.RegistryException;
import io.cargohold.policy.Authorizer;
import io.cargohold.policy.Decision;
import io.cargohold.policy.EcrActions;
import io.cargohold.policy.Policy;
import io.cargohold.policy.PolicyException;
import io.cargohold.policy.Principal;
import io.cargohold.spi.ApiTokenStore;
import io.cargohold.spi.RegistryPolicyStore;
import io.cargohold.spi.Repository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Client authentication and authorization on the registry API when the config has {@code auth}. Every request
 * but the token endpoint needs a valid token whose scope covers it (anonymous requests get by only with
 * {@code auth.anonymousPull}, and never on {@code /v2/}, so clients always learn the realm); then the policies
 * decide ({@link Authorizer}): a manifest needs {@code ecr:BatchGetImage}, a blob
 * {@code ecr:GetDownloadUrlForLayer}, a tag list {@code ecr:ListImages} under the repository's policy; one that
 * is not cached yet also needs {@code ecr:BatchImportUpstreamImage}, {@code ecr:CreateRepository} when the
 * repository does not exist, and both pull actions. The catalog lists only the repositories the caller may
 * describe ({@code ecr:DescribeRepositories}) or pull.
 */
public final class PolicyAccessControl implements RegistryAccess {

    private static final String BEARER = "Bearer ";
    static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    private static final int MAX_PARSED_POLICIES = 1_000;
    private static final int MIN_KEY_CHARACTERS = 32;

    private final CargoholdConfig.AuthConfig auth;
    private final RegistryTokens tokens;
    private final TokenHandler tokenHandler;
    private final PullThrough pullThrough;
    private final RegistryPolicyStore registryPolicies;
    private final Authorizer authorizer;
    private final Map<String, Policy> parsed = new ConcurrentHashMap<>();
    private final BlobLinks links;

    public PolicyAccessControl(CargoholdConfig.AuthConfig auth, RegistryTokens tokens, TokenHandler tokenHandler,
                               PullThrough pullThrough, RegistryPolicyStore registryPolicies) {
        this.auth = auth;
        this.tokens = tokens;
        this.tokenHandler = tokenHandler;
        this.pullThrough = pullThrough;
        this.registryPolicies = registryPolicies;
        this.authorizer = auth.authorizer();
        this.links = new BlobLinks(pullThrough.metadata());
    }

    /**
     * Access control for {@code auth}, its tokens signed with {@code tokenKey} (the resolved {@code auth.tokenKey},
     * or the cluster's shared key); clients log in as {@code auth.users} or with the API tokens of {@code apiTokens}.
     */
    public static PolicyAccessControl create(Vertx vertx, CargoholdConfig.AuthConfig auth, String tokenKey,
                                             PullThrough pullThrough, RegistryPolicyStore registryPolicies,
                                             ApiTokenStore apiTokens) {
        if (tokenKey.length() < MIN_KEY_CHARACTERS) {
            throw new ConfigException("auth.tokenKey: a key of " + tokenKey.length() + " characters is too short for "
                    + "HS256; use at least " + MIN_KEY_CHARACTERS + " random characters");
        }
        RegistryTokens tokens = new RegistryTokens(vertx, tokenKey, auth.service(), auth.tokenTtl());
        return new PolicyAccessControl(auth, tokens,
                new TokenHandler(vertx, new Users(auth.users()), new ApiTokens(apiTokens, Clock.systemUTC()), tokens,
                        auth.anonymousPull()), pullThrough,
                registryPolicies);
    }

    @Override
    public Future<Void> token(HttpServerRequest request, Consumer<String> loggedIn) {
        return tokenHandler.handle(request, loggedIn);
    }

    @Override
    public Future<String> check(HttpServerRequest request, RegistryPath path) {
        if (path.route() == RegistryPath.Route.NOT_FOUND) {
            return Future.succeededFuture();
        }
        Scope needed = switch (path.route()) {
            case CATALOG -> Scope.catalog();
            case TAGS, MANIFEST, BLOB, REFERRERS -> Scope.pull(path.name().value());
            case BASE, TOKEN, NOT_FOUND -> null;
        };
        return authenticate(request, path, needed)
                .compose(grant -> authorize(request, grant.principal(), path).map(grant.user()));
    }

    @Override
    public Future<List<String>> listable(HttpServerRequest request, List<String> repositories) {
        return principal(request).compose(principal -> {
            List<Future<Boolean>> visible = repositories.stream().map(name -> pullThrough.metadata().repository(name)
                    .map(repository -> repository.isPresent() && mayList(principal, repository.get()))).toList();
            return Future.all(visible).map(decided -> IntStream.range(0, repositories.size())
                    .filter(i -> decided.<Boolean>resultAt(i)).mapToObj(repositories::get).toList());
        });
    }

    /** {@code ecr:DescribeRepositories} or both pull actions; a policy that no longer parses allows neither. */
    private boolean mayList(Principal principal, Repository repository) {
        Policy policy;
        try {
            policy = repositoryPolicy(Optional.of(repository));
        } catch (RegistryException invalidPolicy) {
            return false;
        }
        return authorizer.decide(principal, EcrActions.DESCRIBE_REPOSITORIES, repository.name(), null, policy)
                .allowed() || authorizer.mayPull(principal, repository.name(), policy).allowed();
    }

    /** Who sent a request that {@link #check} let through. */
    private Future<Principal> principal(HttpServerRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        return authorization == null ? Future.succeededFuture(Principal.anonymous())
                : tokens.verify(authorization.substring(BEARER.length()).trim()).map(RegistryTokens.Grant::principal);
    }

    private Future<RegistryTokens.Grant> authenticate(HttpServerRequest request, RegistryPath path, Scope needed) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null) {
            return auth.anonymousPull() && path.route() != RegistryPath.Route.BASE
                    ? Future.succeededFuture(RegistryTokens.Grant.ANONYMOUS)
                    : challenge(request, needed, null, "authentication required: get a token from " + realm(request));
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return challenge(request, needed, "invalid_token", "the Authorization header must be a bearer token from "
                    + realm(request));
        }
        return tokens.verify(authorization.substring(BEARER.length()).trim())
                .recover(invalid -> challenge(request, needed, "invalid_token", "invalid token: "
                        + (invalid instanceof RegistryTokens.InvalidTokenException ? invalid.getMessage() : "not valid")))
                .compose(grant -> needed == null || grant.covers(needed) ? Future.succeededFuture(grant)
                        : challenge(request, needed, "insufficient_scope", "the token does not grant " + needed));
    }

    private Future<Void> authorize(HttpServerRequest request, Principal principal, RegistryPath path) {
        return switch (path.route()) {
            case TAGS -> {
                ProxyTarget target = target(request, path);
                yield pullThrough.metadata().repository(target.name()).compose(repository -> decided(principal,
                        target.name(), authorizer.decide(principal, EcrActions.LIST_IMAGES, target.name(), null,
                                repositoryPolicy(repository))));
            }
            case MANIFEST, BLOB, REFERRERS -> pull(request, principal, path);
            case BASE, TOKEN, CATALOG, NOT_FOUND -> Future.succeededFuture();
        };
    }

    /**
     * A cached manifest or blob needs its pull action (referrers, listed manifests: {@code ecr:BatchGetImage}, once
     * the repository exists), and a cached blob must belong to the repository ({@link BlobLinks}: else it is
     * {@code BLOB_UNKNOWN} there); one that is not cached needs what a pull through the cache needs. A cached tag
     * counts as cached even when it is due for its re-check upstream: keeping it fresh is the cache's own work. A
     * malformed reference is left to the route, which answers why.
     */
    private Future<Void> pull(HttpServerRequest request, Principal principal, RegistryPath path) {
        ProxyTarget target = target(request, path);
        Reference reference;
        try {
            reference = path.route() == RegistryPath.Route.BLOB ? Digest.parse(path.reference())
                    : Reference.parse(path.reference());
        } catch (RegistryException malformed) {
            return Future.succeededFuture();
        }
        Future<Boolean> cached = path.route() == RegistryPath.Route.BLOB
                ? pullThrough.blobs().isCached((Digest) reference)
                : path.route() == RegistryPath.Route.REFERRERS
                ? pullThrough.metadata().repository(target.name()).map(Optional::isPresent)
                : reference instanceof Digest digest
                        ? pullThrough.metadata().manifest(target.name(), digest.value()).map(Optional::isPresent)
                        : pullThrough.metadata().tag(target.name(), reference.value()).map(Optional::isPresent);
        String action = path.route() == RegistryPath.Route.BLOB ? EcrActions.GET_DOWNLOAD_URL_FOR_LAYER
                : EcrActions.BATCH_GET_IMAGE;
        return Future.all(cached, pullThrough.metadata().repository(target.name())).compose(both -> {
            Optional<Repository> repository = both.resultAt(1);
            if (both.<Boolean>resultAt(0)) {
                Future<Void> allowed = decided(principal, target.name(), authorizer.decide(principal, action,
                        target.name(), null, repositoryPolicy(repository)));
                return reference instanceof Digest blob && path.route() == RegistryPath.Route.BLOB
                        ? allowed.compose(v -> links.linked(target.name(), blob)).compose(linked -> linked
                                ? Future.succeededFuture() : Future.failedFuture(RegistryException.blobUnknown(blob)))
                        : allowed;
            }
            Policy repositoryPolicy = repository.isPresent() ? repositoryPolicy(repository)
                    : parse(pullThrough.templates().settingsFor(target.name()).repositoryPolicy(),
                            "the policy of the template for " + target.name());
            return registryPolicies.registryPolicy().compose(registryPolicy -> decided(principal, target.name(),
                    authorizer.mayPullThrough(principal, target.name(), repository.isPresent(),
                            parse(registryPolicy.orElse(null), "the registry policy"), repositoryPolicy)));
        });
    }

    /** The repository as the route will resolve it (in mirror mode, by the registry containerd names). */
    private ProxyTarget target(HttpServerRequest request, RegistryPath path) {
        return pullThrough.rules().resolve(path.name(), request.getParam(Routes.MIRROR_NAMESPACE));
    }

    private Policy repositoryPolicy(Optional<Repository> repository) {
        return repository.map(stored -> parse(stored.settings().repositoryPolicy(),
                "the policy of repository " + stored.name())).orElse(null);
    }

    /** A stored policy, parsed once; one that no longer parses denies everything rather than nothing. */
    private Policy parse(String json, String what) {
        if (json == null) {
            return null;
        }
        Policy policy = parsed.get(json);
        if (policy != null) {
            return policy;
        }
        try {
            policy = Policy.parse(json);
        } catch (PolicyException e) {
            throw new RegistryException(OciErrorCode.DENIED, what + " is invalid, so nothing is allowed: "
                    + e.getMessage(), null);
        }
        if (parsed.size() >= MAX_PARSED_POLICIES) {
            parsed.clear();
        }
        parsed.put(json, policy);
        return policy;
    }

    private Future<Void> decided(Principal principal, String repository, Decision decision) {
        if (decision.allowed()) {
            return Future.succeededFuture();
        }
        Map<String, String> detail = new LinkedHashMap<>();
        detail.put("action", decision.action());
        detail.put("repository", repository);
        detail.put("decision", decision.outcome().name());
        String message = decision.action() + " on " + repository + " is denied to " + principal;
        if (decision.outcome() == Decision.Outcome.EXPLICIT_DENY) {
            detail.put("policy", decision.policy());
            detail.put("statement", decision.statement());
            message += " by statement " + decision.statement() + " of the " + decision.policy() + " policy";
        } else {
            message += ": no statement allows it";
        }
        return Future.failedFuture(new RegistryException(OciErrorCode.DENIED, message, detail));
    }

    private <T> Future<T> challenge(HttpServerRequest request, Scope needed, String error, String message) {
        StringBuilder header = new StringBuilder("Bearer realm=\"").append(realm(request))
                .append("\",service=\"").append(auth.service()).append('"');
        if (needed != null) {
            header.append(",scope=\"").append(needed).append('"');
        }
        if (error != null) {
            header.append(",error=\"").append(error).append('"');
        }
        request.response().putHeader(WWW_AUTHENTICATE, header.toString());
        return Future.failedFuture(new RegistryException(OciErrorCode.UNAUTHORIZED, message, null));
    }

    /**
     * The token endpoint as the client reached this edge (https with {@code http.tls}), unless
     * {@code auth.realm} says otherwise.
     */
    private String realm(HttpServerRequest request) {
        if (auth.realm() != null) {
            return auth.realm();
        }
        String host = request.getHeader(HttpHeaders.HOST);
        if (host == null || host.isBlank() || host.contains("\"") || host.contains("/")) {
            host = request.localAddress().host() + ":" + request.localAddress().port();
        }
        return (request.isSSL() ? "https://" : "http://") + host + "/v2/token";
    }
}
